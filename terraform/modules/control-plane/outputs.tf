output "endpoint" {
  description = "The control API: the aws provider's endpoints { appmesh = ... }, the CLI's --endpoint-url, the proxies' PROXY_CONTROL_API_URL (meshed-service's meshwork_endpoint)."
  value       = local.endpoint
}

output "server_id" {
  description = "The host name AWS logins must name (CONTROL_API_AWS_LOGIN_SERVER_ID)."
  value       = local.server_id
}

output "load_balancer_security_group_id" {
  description = "The load balancer's security group (add ingress rules for more clients)."
  value       = aws_security_group.load_balancer.id
}

output "root_access_key_secret_arn" {
  description = "The secret holding the root access key (access_key_id, secret_access_key): the first administrator's."
  value       = aws_secretsmanager_secret.root_key.arn
}

output "cluster_arn" {
  description = "The ECS cluster the control API runs in."
  value       = local.cluster_arn
}

output "task_role_arn" {
  description = "The control API's own role."
  value       = aws_iam_role.task.arn
}

output "ecs_task_hook_function_arn" {
  description = "The ECS task-state hook, or null."
  value       = one(aws_lambda_function.hook[*].arn)
}

output "database_address" {
  description = "The PostgreSQL host."
  value       = aws_db_instance.this.address
}
