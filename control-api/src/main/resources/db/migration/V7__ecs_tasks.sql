-- The ECS task each proxy runs in (reported by proxies on ECS), and tasks the ECS task hook saw
-- stopping: their proxies are endpoints no more, even if one reports again before it exits.
CREATE TABLE proxy_ecs_task (
    proxy_id    VARCHAR(128)  PRIMARY KEY,
    task_arn    VARCHAR(512)  NOT NULL
);
CREATE INDEX proxy_ecs_task_arn ON proxy_ecs_task (task_arn);

CREATE TABLE ecs_task_stopped (
    task_arn    VARCHAR(512)  PRIMARY KEY,
    stopped_at  BIGINT        NOT NULL
);
CREATE INDEX ecs_task_stopped_at ON ecs_task_stopped (stopped_at);
