output "task_definition_arn" {
  description = "The task definition (family:revision)."
  value       = aws_ecs_task_definition.this.arn
}

output "service_name" {
  description = "The ECS service."
  value       = aws_ecs_service.this.name
}

output "task_role_arn" {
  description = "The proxy's identity: the task role."
  value       = local.task_role_arn
}

output "virtual_node_arn" {
  description = "The virtual node (or gateway) the tasks are: what the task role may stream."
  value       = local.node_arn
}

output "cloud_map_service_arn" {
  description = "The Cloud Map service the tasks register in, or null."
  value       = one(aws_service_discovery_service.this[*].arn)
}
