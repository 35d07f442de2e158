# The ECS side: a cluster, the Cloud Map namespace the nodes discover each other in, and one
# meshed service per virtual node (and one for the gateway).

resource "aws_ecs_cluster" "shop" {
  name = "shop"
}

resource "aws_service_discovery_private_dns_namespace" "shop" {
  name = "shop.local"
  vpc  = var.vpc_id
}

resource "aws_security_group" "tasks" {
  name        = "shop-tasks"
  description = "the shop's tasks: each other, and out"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "tasks_from_tasks" {
  type                     = "ingress"
  security_group_id        = aws_security_group.tasks.id
  source_security_group_id = aws_security_group.tasks.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
}

resource "aws_security_group_rule" "tasks_out" {
  type              = "egress"
  security_group_id = aws_security_group.tasks.id
  cidr_blocks       = ["0.0.0.0/0"]
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
}

locals {
  demo_app = file("${path.module}/apps/demo_app.py")
  common = {
    cluster_arn        = aws_ecs_cluster.shop.arn
    mesh_name          = aws_appmesh_mesh.shop.name
    meshwork_endpoint  = var.meshwork_endpoint
    proxy_image        = var.proxy_image
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.tasks.id]
    cloud_map          = { namespace_id = aws_service_discovery_private_dns_namespace.shop.id }
  }
}

module "frontend" {
  source             = "../../modules/meshed-service"
  name               = "frontend"
  virtual_node_name  = aws_appmesh_virtual_node.frontend.name
  cluster_arn        = local.common.cluster_arn
  mesh_name          = local.common.mesh_name
  meshwork_endpoint  = local.common.meshwork_endpoint
  proxy_image        = local.common.proxy_image
  subnet_ids         = local.common.subnet_ids
  security_group_ids = local.common.security_group_ids
  cloud_map          = local.common.cloud_map
  app_ports          = [8080]
  app_containers = [{
    name         = "app"
    image        = var.app_image
    essential    = true
    command      = ["python3", "-c", local.demo_app]
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
    environment = [
      { name = "APP_NAME", value = "frontend" },
      { name = "CALLS", value = "http://backend.shop.local:8080" },
    ]
  }]
}

module "backend" {
  for_each = { v1 = 2, v2 = 1 } # version = tasks
  source   = "../../modules/meshed-service"
  name     = "backend-${each.key}"

  virtual_node_name  = aws_appmesh_virtual_node.backend[each.key].name
  cluster_arn        = local.common.cluster_arn
  mesh_name          = local.common.mesh_name
  meshwork_endpoint  = local.common.meshwork_endpoint
  proxy_image        = local.common.proxy_image
  subnet_ids         = local.common.subnet_ids
  security_group_ids = local.common.security_group_ids
  cloud_map          = local.common.cloud_map
  desired_count      = each.value
  app_ports          = [8080]
  app_containers = [{
    name         = "app"
    image        = var.app_image
    essential    = true
    command      = ["python3", "-c", local.demo_app]
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
    environment  = [{ name = "APP_NAME", value = "backend-${each.key}" }]
  }]
}

module "gateway" {
  source               = "../../modules/meshed-service"
  name                 = "ingress"
  virtual_gateway_name = aws_appmesh_virtual_gateway.ingress.name
  gateway_ports        = [8080]
  cluster_arn          = local.common.cluster_arn
  mesh_name            = local.common.mesh_name
  meshwork_endpoint    = local.common.meshwork_endpoint
  proxy_image          = local.common.proxy_image
  subnet_ids           = local.common.subnet_ids
  security_group_ids   = local.common.security_group_ids
}
