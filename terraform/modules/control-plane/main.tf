# The Meshwork control API on ECS Fargate: replicas behind an internal load balancer sharing one
# PostgreSQL, its keys in Secrets Manager, proxies authenticated by their AWS roles through STS.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region      = data.aws_region.current.name
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  https       = var.certificate_arn != null
  lb_port     = local.https ? 443 : 8080
  server_id   = coalesce(var.server_id, aws_lb.this.dns_name)
  endpoint    = "${local.https ? "https" : "http"}://${local.server_id}${local.https ? "" : ":8080"}"
  cluster_arn = var.cluster_arn != null ? var.cluster_arn : aws_ecs_cluster.this[0].arn
  log_group   = "/meshwork/${var.name}/control-api"
}

resource "aws_ecs_cluster" "this" {
  count = var.cluster_arn == null ? 1 : 0
  name  = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "control_api" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# --- network ------------------------------------------------------------------------------------

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-control-api-lb"
  description = "Meshwork control API load balancer: clients and proxies"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_security_group_rule" "clients" {
  for_each          = toset(var.client_cidr_blocks)
  type              = "ingress"
  security_group_id = aws_security_group.load_balancer.id
  description       = "control API clients"
  cidr_blocks       = [each.value]
  protocol          = "tcp"
  from_port         = local.lb_port
  to_port           = local.lb_port
}

resource "aws_security_group_rule" "load_balancer_to_tasks" {
  type                     = "egress"
  security_group_id        = aws_security_group.load_balancer.id
  description              = "to the control API tasks"
  source_security_group_id = aws_security_group.tasks.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-control-api"
  description = "Meshwork control API tasks"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_security_group_rule" "tasks_from_load_balancer" {
  type                     = "ingress"
  security_group_id        = aws_security_group.tasks.id
  description              = "from the load balancer"
  source_security_group_id = aws_security_group.load_balancer.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
}

resource "aws_security_group_rule" "tasks_out" {
  type              = "egress"
  security_group_id = aws_security_group.tasks.id
  description       = "PostgreSQL, STS, Cloud Map, IAM, Secrets Manager, ECR"
  cidr_blocks       = ["0.0.0.0/0"]
  protocol          = "tcp"
  from_port         = 0
  to_port           = 65535
}

resource "aws_lb" "this" {
  name               = "${var.name}-control-api"
  internal           = true
  load_balancer_type = "application"
  security_groups    = [aws_security_group.load_balancer.id]
  subnets            = var.subnet_ids
  # Proxies long-poll their configuration for up to 60 s.
  idle_timeout = 120
  tags         = var.tags
}

resource "aws_lb_target_group" "control_api" {
  name        = "${var.name}-control-api"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  # The only unsigned path: it says whether the store answers, and nothing about the mesh.
  health_check {
    path                = "/health"
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
  deregistration_delay = 30
  tags                 = var.tags
}

resource "aws_lb_listener" "control_api" {
  load_balancer_arn = aws_lb.this.arn
  port              = local.lb_port
  protocol          = local.https ? "HTTPS" : "HTTP"
  certificate_arn   = var.certificate_arn
  ssl_policy        = local.https ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.control_api.arn
  }
  tags = var.tags
}

# --- the control API ----------------------------------------------------------------------------

resource "aws_ecs_task_definition" "control_api" {
  family                   = "${var.name}-control-api"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions = jsonencode([{
    name         = "control-api"
    image        = var.control_api_image
    essential    = true
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
    environment  = [for key in sort(keys(local.environment)) : { name = key, value = local.environment[key] }]
    secrets = [
      { name = "CONTROL_API_JDBC_PASSWORD", valueFrom = aws_secretsmanager_secret.database.arn },
      { name = "CONTROL_API_ROOT_ACCESS_KEY_ID", valueFrom = "${aws_secretsmanager_secret.root_key.arn}:access_key_id::" },
      { name = "CONTROL_API_ROOT_SECRET_ACCESS_KEY", valueFrom = "${aws_secretsmanager_secret.root_key.arn}:secret_access_key::" },
      { name = "CONTROL_API_ENCRYPTION_KEY", valueFrom = aws_secretsmanager_secret.encryption_key.arn },
    ]
    healthCheck = {
      command     = ["CMD-SHELL", "curl -sf http://localhost:8080/health >/dev/null"]
      interval    = 10
      timeout     = 3
      retries     = 3
      startPeriod = 60
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_group
        awslogs-region        = local.region
        awslogs-stream-prefix = "control-api"
      }
    }
  }])
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  tags = var.tags
}

locals {
  environment = merge({
    CONTROL_API_REGION                 = local.region
    CONTROL_API_ACCOUNT_ID             = local.account_id
    CONTROL_API_JDBC_URL               = "jdbc:postgresql://${aws_db_instance.this.address}:${aws_db_instance.this.port}/${aws_db_instance.this.db_name}"
    CONTROL_API_JDBC_USER              = aws_db_instance.this.username
    CONTROL_API_AWS_LOGIN_SERVER_ID    = local.server_id
    CONTROL_API_AWS_LOGIN_IAM_POLICIES = tostring(var.iam_policy_grants)
    CONTROL_API_CLOUDMAP_ENABLED       = tostring(var.cloudmap_enabled)
    CONTROL_API_LOG_FORMAT             = "json"
  }, var.environment)
}

resource "aws_ecs_service" "control_api" {
  name                              = "${var.name}-control-api"
  cluster                           = local.cluster_arn
  task_definition                   = aws_ecs_task_definition.control_api.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 60

  network_configuration {
    subnets         = var.subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.control_api.arn
    container_name   = "control-api"
    container_port   = 8080
  }

  depends_on = [aws_lb_listener.control_api]
  tags       = var.tags
}
