# What the control plane is made of, asserted on the plan with a mocked AWS provider.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_lb" {
    defaults = {
      dns_name = "internal-meshwork-123.eu-west-1.elb.amazonaws.com"
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/meshwork-control-api/1"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/meshwork-control-api/1" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/meshwork" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:111122223333:cluster/meshwork" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/meshwork-control-api:1" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:meshwork/root-1" }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      address  = "meshwork.abc.eu-west-1.rds.amazonaws.com"
      port     = 5432
      username = "meshwork"
      db_name  = "meshwork"
    }
  }
}

variables {
  vpc_id             = "vpc-1"
  subnet_ids         = ["subnet-a", "subnet-b"]
  client_cidr_blocks = ["10.0.0.0/16"]
  control_api_image  = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/meshwork-control-api:0.1.0"
}

run "replicas_behind_an_internal_load_balancer_sharing_postgresql" {
  command = apply

  assert {
    condition     = aws_lb.this.internal && aws_ecs_service.control_api.desired_count == 2 && aws_ecs_service.control_api.launch_type == "FARGATE"
    error_message = "two Fargate replicas behind an internal load balancer"
  }
  assert {
    condition     = one(aws_lb_target_group.control_api.health_check).path == "/health"
    error_message = "the load balancer checks the unsigned /health"
  }
  assert {
    condition     = aws_db_instance.this.engine == "postgres" && aws_db_instance.this.storage_encrypted && aws_secretsmanager_secret_version.database.secret_id == aws_secretsmanager_secret.database.id
    error_message = "PostgreSQL, its password in the module's own secret (not RDS-managed: that would rotate under the running replicas)"
  }
  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.control_api.container_definitions)[0].environment : e.name => e.value
      } == {
      CONTROL_API_ACCOUNT_ID             = "111122223333"
      CONTROL_API_AWS_LOGIN_IAM_POLICIES = "true"
      CONTROL_API_AWS_LOGIN_SERVER_ID    = "internal-meshwork-123.eu-west-1.elb.amazonaws.com"
      CONTROL_API_CLOUDMAP_ENABLED       = "true"
      CONTROL_API_JDBC_URL               = "jdbc:postgresql://meshwork.abc.eu-west-1.rds.amazonaws.com:5432/meshwork"
      CONTROL_API_JDBC_USER              = "meshwork"
      CONTROL_API_LOG_FORMAT             = "json"
      CONTROL_API_REGION                 = "eu-west-1"
    }
    error_message = "the control API gets its account, region, database, STS logins and Cloud Map sync"
  }
  assert {
    condition = toset([for s in jsondecode(aws_ecs_task_definition.control_api.container_definitions)[0].secrets : s.name]) == toset([
      "CONTROL_API_JDBC_PASSWORD", "CONTROL_API_ROOT_ACCESS_KEY_ID",
      "CONTROL_API_ROOT_SECRET_ACCESS_KEY", "CONTROL_API_ENCRYPTION_KEY"
    ])
    error_message = "every secret comes from Secrets Manager, none from the environment"
  }
  assert {
    condition     = output.endpoint == "http://internal-meshwork-123.eu-west-1.elb.amazonaws.com:8080"
    error_message = "the endpoint for aws_appmesh_* resources and proxies"
  }
  assert {
    condition     = length(aws_lambda_function.hook) == 0
    error_message = "no hook without its jar"
  }
}

run "https_with_a_certificate_and_a_name" {
  command = plan
  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
    server_id       = "meshwork.internal.example.com"
  }
  assert {
    condition     = aws_lb_listener.control_api.port == 443 && aws_lb_listener.control_api.protocol == "HTTPS"
    error_message = "HTTPS on 443 with a certificate"
  }
  assert {
    condition     = output.endpoint == "https://meshwork.internal.example.com"
    error_message = "the endpoint is the name logins sign for"
  }
}

run "the_ecs_task_hook" {
  command = plan
  variables {
    lambda_hooks_jar     = "tests/empty-hook.jar"
    watched_cluster_arns = ["arn:aws:ecs:eu-west-1:111122223333:cluster/shop"]
  }
  assert {
    condition     = aws_lambda_function.hook[0].handler == "io.meshwork.lambdahooks.ecs.EcsTaskStateHandler::handleRequest" && aws_lambda_function.hook[0].runtime == "java17"
    error_message = "the hook runs lambda-hooks' ECS task-state handler"
  }
  assert {
    condition     = aws_lambda_function.hook[0].environment[0].variables["MESHWORK_ENDPOINT"] == "http://internal-meshwork-123.eu-west-1.elb.amazonaws.com:8080"
    error_message = "the hook calls the control API through the load balancer"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.task_stopping[0].event_pattern) == {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Task State Change"]
      detail        = { desiredStatus = ["STOPPED"], clusterArn = ["arn:aws:ecs:eu-west-1:111122223333:cluster/shop"] }
    }
    error_message = "the rule sends tasks told to stop in the watched clusters"
  }
  assert {
    condition     = aws_lambda_permission.task_stopping[0].principal == "events.amazonaws.com"
    error_message = "EventBridge may invoke the hook"
  }
}

run "https_needs_the_name_the_certificate_is_for" {
  command = plan
  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/abc"
  }
  expect_failures = [var.certificate_arn]
}

run "a_name_too_long_for_the_load_balancer_is_refused_at_once" {
  command = plan
  variables {
    name = "meshwork-staging-eu-west-1"
  }
  expect_failures = [var.name]
}
