package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** SQL for the ECS tasks proxies run in, and the tasks the ECS task hook saw stopping. */
@Singleton
public final class EcsTaskStore {
    /** Records (or moves) the task of a proxy. */
    public void put(Transaction tx, String proxyId, String taskArn) {
        tx.run(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE proxy_ecs_task SET task_arn = ? WHERE proxy_id = ?")) {
                update.setString(1, taskArn);
                update.setString(2, proxyId);
                if (update.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO proxy_ecs_task (proxy_id, task_arn) VALUES (?, ?)")) {
                        insert.setString(1, proxyId);
                        insert.setString(2, taskArn);
                        insert.executeUpdate();
                    }
                }
            }
        });
    }

    public void forget(Transaction tx, String proxyId) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM proxy_ecs_task WHERE proxy_id = ?")) {
                ps.setString(1, proxyId);
                ps.executeUpdate();
            }
        });
    }

    /** The proxies registered from one task. */
    public List<String> proxiesOf(Transaction tx, String taskArn) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT proxy_id FROM proxy_ecs_task WHERE task_arn = ? ORDER BY proxy_id")) {
                ps.setString(1, taskArn);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    public void markStopped(Transaction tx, String taskArn, long now) {
        tx.run(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE ecs_task_stopped SET stopped_at = ? WHERE task_arn = ?")) {
                update.setLong(1, now);
                update.setString(2, taskArn);
                if (update.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO ecs_task_stopped (task_arn, stopped_at) VALUES (?, ?)")) {
                        insert.setString(1, taskArn);
                        insert.setLong(2, now);
                        insert.executeUpdate();
                    }
                }
            }
        });
    }

    public boolean isStopped(Transaction tx, String taskArn) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ecs_task_stopped WHERE task_arn = ?")) {
                ps.setString(1, taskArn);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Stopped tasks are remembered a while (a task's containers are gone long before); then forgotten. */
    public int forgetStoppedBefore(Transaction tx, long before) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM ecs_task_stopped WHERE stopped_at < ?")) {
                ps.setLong(1, before);
                return ps.executeUpdate();
            }
        });
    }
}
