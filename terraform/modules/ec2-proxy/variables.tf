# The same inputs as App Mesh's EC2 setup: APPMESH_RESOURCE_ARN for the proxy, envoy-networking.sh's
# variables for the capture.

variable "mesh_name" {
  description = "The mesh of the virtual node this host is."
  type        = string
}

variable "mesh_owner" {
  description = "The account owning a shared mesh; null for your own."
  type        = string
  default     = null
}

variable "virtual_node_name" {
  description = "The virtual node this host is."
  type        = string
}

variable "meshwork_endpoint" {
  description = "The control API (PROXY_CONTROL_API_URL): the control-plane module's endpoint output."
  type        = string
}

variable "artifact_url" {
  description = "Where the host downloads Meshwork from: an s3:// or https:// URL of the tarball `packaging/dist` makes (file:// for tests)."
  type        = string
}

variable "app_ports" {
  description = "APPMESH_APP_PORTS: the application's ports."
  type        = list(number)
}

variable "ignored_gid" {
  description = "APPMESH_IGNORE_GID (null: none)."
  type        = number
  default     = null
}

variable "egress_ignored_ips" {
  description = "APPMESH_EGRESS_IGNORED_IP."
  type        = list(string)
  default     = ["169.254.169.254", "169.254.170.2"]
}

variable "egress_ignored_ports" {
  description = "APPMESH_EGRESS_IGNORED_PORTS (22 is always added)."
  type        = list(number)
  default     = []
}

variable "enable_ipv6" {
  description = "APPMESH_ENABLE_IPV6: capture IPv6 too."
  type        = bool
  default     = false
}

variable "proxy_log_level" {
  description = "ENVOY_LOG_LEVEL."
  type        = string
  default     = "info"
}

variable "proxy_environment" {
  description = "More proxy settings for /etc/meshwork/proxy.env (README.md, docs/ec2.md)."
  type        = map(string)
  default     = {}
}

variable "instance_role_name" {
  description = "The instance profile's role: it gets appmesh:StreamAggregatedResources on this node (null: grant it yourself)."
  type        = string
  default     = null
}
