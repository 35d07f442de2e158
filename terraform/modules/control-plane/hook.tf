# The ECS task-state hook (lambda-hooks): when a task is told to stop, its proxies' endpoints are
# deregistered at once, instead of when their registration would have expired.

locals {
  hook = var.lambda_hooks_jar != null
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "hook" {
  count              = local.hook ? 1 : 0
  name               = "${var.name}-ecs-task-hook"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "hook_vpc" {
  count      = local.hook ? 1 : 0
  role       = aws_iam_role.hook[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# Read by the control API at the hook's login (iam_policy_grants): it may deregister proxies of any
# node. AWS itself ignores meshwork: actions.
data "aws_iam_policy_document" "hook" {
  statement {
    sid       = "DeregisterStoppedTasksProxies"
    actions   = ["meshwork:DeregisterProxy"]
    resources = ["arn:${local.partition}:appmesh:${local.region}:*:mesh/*"]
  }
}

resource "aws_iam_role_policy" "hook" {
  count  = local.hook ? 1 : 0
  name   = "meshwork"
  role   = aws_iam_role.hook[0].id
  policy = data.aws_iam_policy_document.hook.json
}

resource "aws_security_group" "hook" {
  count       = local.hook ? 1 : 0
  name        = "${var.name}-ecs-task-hook"
  description = "Meshwork ECS task hook: to the control API"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_security_group_rule" "hook_out" {
  count             = local.hook ? 1 : 0
  type              = "egress"
  security_group_id = aws_security_group.hook[0].id
  description       = "the control API and STS"
  cidr_blocks       = ["0.0.0.0/0"]
  protocol          = "tcp"
  from_port         = 443
  to_port           = local.lb_port
}

resource "aws_security_group_rule" "load_balancer_from_hook" {
  count                    = local.hook ? 1 : 0
  type                     = "ingress"
  security_group_id        = aws_security_group.load_balancer.id
  description              = "the ECS task hook"
  source_security_group_id = aws_security_group.hook[0].id
  protocol                 = "tcp"
  from_port                = local.lb_port
  to_port                  = local.lb_port
}

resource "aws_cloudwatch_log_group" "hook" {
  count             = local.hook ? 1 : 0
  name              = "/aws/lambda/${var.name}-ecs-task-hook"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "hook" {
  count            = local.hook ? 1 : 0
  function_name    = "${var.name}-ecs-task-hook"
  role             = aws_iam_role.hook[0].arn
  runtime          = "java17"
  handler          = "io.meshwork.lambdahooks.ecs.EcsTaskStateHandler::handleRequest"
  filename         = var.lambda_hooks_jar
  source_code_hash = filebase64sha256(var.lambda_hooks_jar)
  memory_size      = 512
  timeout          = 30
  environment {
    variables = {
      MESHWORK_ENDPOINT = local.endpoint
    }
  }
  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.hook[0].id]
  }
  depends_on = [aws_cloudwatch_log_group.hook, aws_iam_role_policy_attachment.hook_vpc]
  tags       = var.tags
}

resource "aws_cloudwatch_event_rule" "task_stopping" {
  count       = local.hook ? 1 : 0
  name        = "${var.name}-ecs-task-stopping"
  description = "ECS tasks told to stop: their proxies' endpoints go at once"
  event_pattern = jsonencode(merge({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = merge({ desiredStatus = ["STOPPED"] },
    length(var.watched_cluster_arns) == 0 ? {} : { clusterArn = var.watched_cluster_arns })
  }))
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "task_stopping" {
  count = local.hook ? 1 : 0
  rule  = aws_cloudwatch_event_rule.task_stopping[0].name
  arn   = aws_lambda_function.hook[0].arn
}

resource "aws_lambda_permission" "task_stopping" {
  count         = local.hook ? 1 : 0
  statement_id  = "EcsTaskStateChange"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook[0].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.task_stopping[0].arn
}
