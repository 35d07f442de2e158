# The task role is the proxy's identity: it logs in to the control API with it, and the control
# API grants what the role's IAM policies allow on appmesh resources, as App Mesh did
# (control-plane module: CONTROL_API_AWS_LOGIN_IAM_POLICIES).

locals {
  create_task_role      = var.task_role_arn == null
  create_execution_role = var.execution_role_arn == null
  task_role_arn         = local.create_task_role ? aws_iam_role.task[0].arn : var.task_role_arn
  task_role_name        = local.create_task_role ? aws_iam_role.task[0].name : element(split("/", var.task_role_arn), length(split("/", var.task_role_arn)) - 1)
  execution_role_arn    = local.create_execution_role ? aws_iam_role.execution[0].arn : var.execution_role_arn
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task" {
  count              = local.create_task_role ? 1 : 0
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "virtual_node" {
  statement {
    sid       = "ProxyConfiguration"
    actions   = ["appmesh:StreamAggregatedResources"]
    resources = [local.node_arn]
  }
}

resource "aws_iam_role_policy" "virtual_node" {
  # Named after the service: several services may share one task role.
  name   = "meshwork-${var.name}"
  role   = local.task_role_name
  policy = data.aws_iam_policy_document.virtual_node.json
}

resource "aws_iam_role" "execution" {
  count              = local.create_execution_role ? 1 : 0
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  count      = local.create_execution_role ? 1 : 0
  role       = aws_iam_role.execution[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}
