# Inputs are named after what App Mesh users set on their task definitions and in
# ecs.ProxyConfigurations.appMeshProxyConfiguration: the proxy configuration's properties keep
# their App Mesh meaning and defaults.

variable "name" {
  description = "The ECS service and task definition family (and the default Cloud Map service name)."
  type        = string
}

variable "cluster_arn" {
  description = "The ECS cluster the service runs in."
  type        = string
}

variable "mesh_name" {
  description = "The mesh of the virtual node (as in APPMESH_RESOURCE_ARN)."
  type        = string
}

variable "mesh_owner" {
  description = "The account that owns a shared mesh (APPMESH_RESOURCE_ARN's mesh/M@OWNER form); null for your own."
  type        = string
  default     = null
}

variable "virtual_node_name" {
  description = "The virtual node this service's tasks are (or set virtual_gateway_name)."
  type        = string
  default     = null
}

variable "virtual_gateway_name" {
  description = "Instead of a node: the virtual gateway these tasks are. The proxy is then the only container, without proxy_configuration, listening on gateway_ports."
  type        = string
  default     = null
}

variable "gateway_ports" {
  description = "A gateway's listener ports (its virtual gateway's listeners), published by the proxy container."
  type        = list(number)
  default     = []
}

variable "meshwork_endpoint" {
  description = "The control API the proxies fetch their configuration from (PROXY_CONTROL_API_URL); the control-plane module's endpoint output."
  type        = string
}

variable "proxy_image" {
  description = "The Meshwork proxy image (where the aws-appmesh-envoy image was)."
  type        = string
}

variable "proxy_container_name" {
  description = "The proxy container's name. App Mesh's samples call it envoy; app containers' dependsOn and proxyConfiguration refer to it."
  type        = string
  default     = "envoy"
}

variable "proxy_cpu" {
  description = "CPU units reserved for the proxy container."
  type        = number
  default     = 256
}

variable "proxy_memory" {
  description = "Memory (MiB) reserved for the proxy container."
  type        = number
  default     = 256
}

variable "proxy_log_level" {
  description = "ENVOY_LOG_LEVEL for the proxy (trace, debug, info, warning, error, critical, off)."
  type        = string
  default     = "info"
}

variable "proxy_environment" {
  description = "More environment for the proxy container (e.g. ENABLE_ENVOY_XRAY_TRACING, PROXY_LB_POLICY)."
  type        = map(string)
  default     = {}
}

variable "app_containers" {
  default     = []
  description = <<-EOT
    The application's container definitions, as in the task definition App Mesh users had (ECS's
    JSON names: name, image, portMappings, environment, ...). Each gets
    dependsOn = [{containerName = <proxy>, condition = "HEALTHY"}] unless it already names the proxy.
  EOT
  type        = any
}

variable "app_ports" {
  description = "AppPorts: the ports the application listens on; inbound traffic to them goes through the proxy."
  type        = list(number)
  default     = []
}

variable "ignored_uid" {
  description = "IgnoredUID: the proxy's user; its own traffic is not redirected."
  type        = number
  default     = 1337
}

variable "ignored_gid" {
  description = "IgnoredGID: a group whose traffic is not redirected (null: none)."
  type        = number
  default     = null
}

variable "proxy_ingress_port" {
  description = "ProxyIngressPort."
  type        = number
  default     = 15000
}

variable "proxy_egress_port" {
  description = "ProxyEgressPort."
  type        = number
  default     = 15001
}

variable "egress_ignored_ips" {
  description = "EgressIgnoredIPs: destinations the app reaches directly. Keep 169.254.170.2 (task credentials) and 169.254.169.254 (metadata)."
  type        = list(string)
  default     = ["169.254.170.2", "169.254.169.254"]
}

variable "egress_ignored_ports" {
  description = "EgressIgnoredPorts: destination ports the app reaches directly."
  type        = list(number)
  default     = []
}

variable "cpu" {
  description = "Task CPU units (Fargate sizes)."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
  default     = 1024
}

variable "launch_type" {
  description = "FARGATE or EC2."
  type        = string
  default     = "FARGATE"
  validation {
    condition     = contains(["FARGATE", "EC2"], var.launch_type)
    error_message = "launch_type must be FARGATE or EC2: APPMESH proxy configuration needs awsvpc tasks on either."
  }
}

variable "desired_count" {
  description = "How many tasks the service keeps running."
  type        = number
  default     = 1
}

variable "subnet_ids" {
  description = "Subnets of the tasks' network interfaces (awsvpc)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the tasks' network interfaces."
  type        = list(string)
}

variable "assign_public_ip" {
  description = "Give the tasks public IPs (Fargate in public subnets)."
  type        = bool
  default     = false
}

variable "task_role_arn" {
  description = "An existing task role; null creates one. Either way it gets appmesh:StreamAggregatedResources on this virtual node."
  type        = string
  default     = null
}

variable "execution_role_arn" {
  description = "An existing task execution role (image pull, logs, secrets); null creates one."
  type        = string
  default     = null
}

variable "cloud_map" {
  description = "Register the tasks in Cloud Map (service_registries), for awsCloudMap virtual nodes: the namespace, and the service name (default: name). Null: no registration."
  type = object({
    namespace_id = string
    service_name = optional(string)
  })
  default = null
}

variable "log_group_name" {
  description = "The CloudWatch log group the module creates for all containers; default /ecs/<name>."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the created log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
