output "user_data" {
  description = "The cloud-init user data (a shell script) for aws_instance.user_data or a launch template."
  value       = local.user_data
}

output "user_data_base64" {
  description = "The same, base64-encoded (aws_launch_template.user_data)."
  value       = base64encode(local.user_data)
}

output "virtual_node_arn" {
  description = "The node the host's instance role may stream."
  value       = local.node_arn
}
