# User data for an EC2 host running one virtual node: installs the proxy, proxy-init and their
# systemd units (packaging/install's layout), writes App Mesh's variables to /etc/meshwork/proxy.env
# and starts the capture and the proxy, as App Mesh's EC2 guide did with docker run and
# envoy-networking.sh.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  mesh_segment = var.mesh_owner == null ? var.mesh_name : "${var.mesh_name}@${var.mesh_owner}"
  node_arn     = "arn:${data.aws_partition.current.partition}:appmesh:${data.aws_region.current.name}:${coalesce(var.mesh_owner, data.aws_caller_identity.current.account_id)}:mesh/${var.mesh_name}/virtualNode/${var.virtual_node_name}"

  proxy_env = merge({
    APPMESH_RESOURCE_ARN         = "mesh/${local.mesh_segment}/virtualNode/${var.virtual_node_name}"
    PROXY_CONTROL_API_URL        = var.meshwork_endpoint
    AWS_REGION                   = data.aws_region.current.name
    ENVOY_LOG_LEVEL              = var.proxy_log_level
    APPMESH_IGNORE_UID           = "1337"
    APPMESH_APP_PORTS            = join(",", [for p in var.app_ports : tostring(p)])
    APPMESH_ENVOY_INGRESS_PORT   = "15000"
    APPMESH_ENVOY_EGRESS_PORT    = "15001"
    APPMESH_EGRESS_IGNORED_IP    = join(",", var.egress_ignored_ips)
    APPMESH_EGRESS_IGNORED_PORTS = join(",", [for p in var.egress_ignored_ports : tostring(p)])
    APPMESH_ENABLE_IPV6          = var.enable_ipv6 ? "1" : "0"
    }, var.ignored_gid == null ? {} : { APPMESH_IGNORE_GID = tostring(var.ignored_gid) },
  var.proxy_environment)

  user_data = templatefile("${path.module}/user-data.sh.tftpl", {
    artifact_url = var.artifact_url
    proxy_env    = join("\n", [for key in sort(keys(local.proxy_env)) : "${key}=${local.proxy_env[key]}"])
  })
}

data "aws_iam_policy_document" "virtual_node" {
  statement {
    actions   = ["appmesh:StreamAggregatedResources"]
    resources = [local.node_arn]
  }
}

resource "aws_iam_role_policy" "virtual_node" {
  count = var.instance_role_name == null ? 0 : 1
  # Named after the node: several hosts' modules may share one instance role.
  name   = "meshwork-${var.mesh_name}-${coalesce(var.virtual_node_name, "node")}"
  role   = var.instance_role_name
  policy = data.aws_iam_policy_document.virtual_node.json
}
