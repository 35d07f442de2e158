# An ECS service whose tasks are one virtual node: the Meshwork proxy container stands exactly
# where App Mesh's Envoy stood (name, user 1337, health check, proxyConfiguration, dependsOn),
# so a task definition written for App Mesh changes only its proxy image.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  gateway = var.virtual_gateway_name != null
  kind    = local.gateway ? "virtualGateway" : "virtualNode"
  member  = local.gateway ? var.virtual_gateway_name : var.virtual_node_name
  region  = data.aws_region.current.name
  # The shared-mesh form names the owner after the mesh, as APPMESH_RESOURCE_ARN did.
  mesh_segment = var.mesh_owner == null ? var.mesh_name : "${var.mesh_name}@${var.mesh_owner}"
  node_arn     = "arn:${data.aws_partition.current.partition}:appmesh:${local.region}:${coalesce(var.mesh_owner, data.aws_caller_identity.current.account_id)}:mesh/${var.mesh_name}/${local.kind}/${local.member}"
  log_group    = coalesce(var.log_group_name, "/ecs/${var.name}")

  proxy_environment = merge({
    APPMESH_RESOURCE_ARN  = "mesh/${local.mesh_segment}/${local.kind}/${local.member}"
    PROXY_CONTROL_API_URL = var.meshwork_endpoint
    AWS_REGION            = local.region
    ENVOY_LOG_LEVEL       = var.proxy_log_level
  }, var.proxy_environment)

  proxy_container = {
    name      = var.proxy_container_name
    image     = var.proxy_image
    essential = true
    user      = tostring(var.ignored_uid)
    cpu       = var.proxy_cpu
    memory    = var.proxy_memory
    environment = [for key in sort(keys(local.proxy_environment)) : {
      name  = key
      value = local.proxy_environment[key]
    }]
    # App Mesh's own check, run by the image's sh: LIVE once the proxy has its configuration.
    healthCheck = {
      command     = ["CMD-SHELL", "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE"]
      interval    = 5
      timeout     = 2
      retries     = 3
      startPeriod = 10
    }
    ulimits      = [{ name = "nofile", softLimit = 15000, hardLimit = 15000 }]
    portMappings = [for p in var.gateway_ports : { containerPort = p, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_group
        awslogs-region        = local.region
        awslogs-stream-prefix = var.proxy_container_name
      }
    }
  }

  # Every app container starts once the proxy is HEALTHY, as App Mesh's samples required, so the
  # app's first calls already find a configured proxy behind the redirect.
  app_containers = [for container in var.app_containers : merge(container, {
    dependsOn = contains([for d in try(container.dependsOn, []) : d.containerName], var.proxy_container_name) ? container.dependsOn : concat(
      try(container.dependsOn, []), [{ containerName = var.proxy_container_name, condition = "HEALTHY" }]
    )
  })]

  proxy_properties = merge({
    IgnoredUID       = tostring(var.ignored_uid)
    AppPorts         = join(",", [for p in var.app_ports : tostring(p)])
    ProxyIngressPort = tostring(var.proxy_ingress_port)
    ProxyEgressPort  = tostring(var.proxy_egress_port)
    EgressIgnoredIPs = join(",", var.egress_ignored_ips)
    },
    # Left out when empty, as CDK's appMeshProxyConfiguration leaves them out.
    length(var.egress_ignored_ports) == 0 ? {} : { EgressIgnoredPorts = join(",", [for p in var.egress_ignored_ports : tostring(p)]) },
    var.ignored_gid == null ? {} : { IgnoredGID = tostring(var.ignored_gid) },
  )
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  network_mode             = "awsvpc"
  requires_compatibilities = [var.launch_type]
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  task_role_arn            = local.task_role_arn
  execution_role_arn       = local.execution_role_arn
  container_definitions    = jsonencode(concat([local.proxy_container], local.app_containers))

  # ECS (the agent, or Fargate) writes App Mesh's redirect rules from these properties before any
  # container starts: the same rules bin/proxy-init writes. A gateway is no sidecar: no redirect.
  dynamic "proxy_configuration" {
    for_each = local.gateway ? [] : [1]
    content {
      type           = "APPMESH"
      container_name = var.proxy_container_name
      properties     = local.proxy_properties
    }
  }

  lifecycle {
    precondition {
      condition     = (var.virtual_node_name == null) != (var.virtual_gateway_name == null)
      error_message = "set exactly one of virtual_node_name and virtual_gateway_name"
    }
    precondition {
      condition     = local.gateway || length(var.app_ports) > 0
      error_message = "a virtual node's tasks need app_ports (AppPorts): the ports whose inbound traffic goes through the proxy"
    }
  }

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  tags = var.tags
}

resource "aws_service_discovery_service" "this" {
  count = var.cloud_map == null ? 0 : 1
  name  = coalesce(var.cloud_map.service_name, var.name)

  dns_config {
    namespace_id   = var.cloud_map.namespace_id
    routing_policy = "MULTIVALUE"
    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  # ECS reports each task's health (its essential containers, the proxy's check included).
  health_check_custom_config {
    failure_threshold = 1
  }

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = var.desired_count
  launch_type     = var.launch_type

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = var.assign_public_ip
  }

  dynamic "service_registries" {
    for_each = aws_service_discovery_service.this
    content {
      registry_arn = service_registries.value.arn
    }
  }

  tags = var.tags
}
