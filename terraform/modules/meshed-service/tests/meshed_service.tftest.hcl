# What App Mesh users' tasks depend on, asserted on the plan with a mocked AWS provider:
# the proxy container where Envoy was, ECS's APPMESH proxy configuration, the health check,
# user 1337, dependsOn HEALTHY and the task role's policy for its virtual node.

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
}

variables {
  name               = "orders"
  cluster_arn        = "arn:aws:ecs:eu-west-1:111122223333:cluster/shop"
  mesh_name          = "shop"
  virtual_node_name  = "orders"
  meshwork_endpoint  = "http://meshwork.internal:8080"
  proxy_image        = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/meshwork-proxy:0.1.0"
  app_ports          = [8080, 9090]
  subnet_ids         = ["subnet-1"]
  security_group_ids = ["sg-1"]
  app_containers = [
    { name = "app", image = "orders:1", essential = true, portMappings = [{ containerPort = 8080 }, { containerPort = 9090 }] },
    { name = "worker", image = "orders-worker:1", dependsOn = [{ containerName = "envoy", condition = "HEALTHY" }] },
  ]
}

run "proxy_container_stands_where_envoy_stood" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].name == "envoy"
    error_message = "the proxy container must be named envoy, as App Mesh's samples and users' dependsOn have it"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].user == "1337"
    error_message = "the proxy runs as 1337, the IgnoredUID"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == var.proxy_image
    error_message = "the proxy image is the one given"
  }
  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.command == [
      "CMD-SHELL", "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE"
    ]
    error_message = "the health check is App Mesh's, unchanged"
  }
  assert {
    condition = (jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.interval == 5
      && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.timeout == 2
      && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.retries == 3
    && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.startPeriod == 10)
    error_message = "the health check timing is App Mesh's (5 s, 2 s, 3 retries, 10 s start period)"
  }
  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value
      } == {
      APPMESH_RESOURCE_ARN  = "mesh/shop/virtualNode/orders"
      AWS_REGION            = "eu-west-1"
      ENVOY_LOG_LEVEL       = "info"
      PROXY_CONTROL_API_URL = "http://meshwork.internal:8080"
    }
    error_message = "the proxy's environment names its node and the control API"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].essential
    error_message = "the proxy is essential"
  }
}

run "app_containers_wait_for_a_healthy_proxy" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].dependsOn == [{ containerName = "envoy", condition = "HEALTHY" }]
    error_message = "an app container without dependsOn gets envoy HEALTHY"
  }
  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.this.container_definitions)[2].dependsOn) == 1
    error_message = "an app container that already waits for envoy is left as it is (no duplicate)"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].portMappings == [{ containerPort = 8080 }, { containerPort = 9090 }]
    error_message = "the app container's own fields are kept"
  }
}

run "proxy_configuration_is_app_meshs" {
  command = plan

  assert {
    condition     = one(aws_ecs_task_definition.this.proxy_configuration).type == "APPMESH"
    error_message = "proxy configuration type APPMESH"
  }
  assert {
    condition     = one(aws_ecs_task_definition.this.proxy_configuration).container_name == "envoy"
    error_message = "the proxy configuration names the proxy container"
  }
  assert {
    condition = one(aws_ecs_task_definition.this.proxy_configuration).properties == tomap({
      IgnoredUID       = "1337"
      AppPorts         = "8080,9090"
      ProxyIngressPort = "15000"
      ProxyEgressPort  = "15001"
      EgressIgnoredIPs = "169.254.170.2,169.254.169.254"
    })
    error_message = "App Mesh's properties with App Mesh's defaults"
  }
  assert {
    condition     = aws_ecs_task_definition.this.network_mode == "awsvpc"
    error_message = "APPMESH proxy configuration needs awsvpc"
  }
}

run "task_role_may_stream_its_node_only" {
  command = plan

  assert {
    condition     = data.aws_iam_policy_document.virtual_node.statement[0].actions == toset(["appmesh:StreamAggregatedResources"])
    error_message = "the task role may stream configuration"
  }
  assert {
    condition     = data.aws_iam_policy_document.virtual_node.statement[0].resources == toset(["arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualNode/orders"])
    error_message = "... for its own virtual node only"
  }
  assert {
    condition     = aws_iam_role_policy.virtual_node.role == "orders-task"
    error_message = "the policy is on the created task role"
  }
}

run "shared_mesh_and_existing_roles" {
  command = plan

  variables {
    mesh_owner           = "444455556666"
    task_role_arn        = "arn:aws:iam::111122223333:role/teams/orders-existing"
    execution_role_arn   = "arn:aws:iam::111122223333:role/ecsTaskExecutionRole"
    ignored_gid          = 1338
    egress_ignored_ports = [22, 443]
  }

  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment, { name = "APPMESH_RESOURCE_ARN", value = "mesh/shop@444455556666/virtualNode/orders" })
    error_message = "a shared mesh uses the mesh/M@OWNER form"
  }
  assert {
    condition     = data.aws_iam_policy_document.virtual_node.statement[0].resources == toset(["arn:aws:appmesh:eu-west-1:444455556666:mesh/shop/virtualNode/orders"])
    error_message = "a shared mesh's node ARN carries the owner's account"
  }
  assert {
    condition     = aws_iam_role_policy.virtual_node.role == "orders-existing" && length(aws_iam_role.task) == 0 && length(aws_iam_role.execution) == 0
    error_message = "existing roles are used, not created; the policy goes on the existing task role"
  }
  assert {
    condition     = aws_ecs_task_definition.this.task_role_arn == "arn:aws:iam::111122223333:role/teams/orders-existing"
    error_message = "the task definition uses the existing task role"
  }
  assert {
    condition     = one(aws_ecs_task_definition.this.proxy_configuration).properties["IgnoredGID"] == "1338" && one(aws_ecs_task_definition.this.proxy_configuration).properties["EgressIgnoredPorts"] == "22,443"
    error_message = "IgnoredGID and EgressIgnoredPorts are passed on"
  }
}

run "cloud_map_registration" {
  command = plan

  variables {
    cloud_map = { namespace_id = "ns-123" }
  }

  assert {
    condition     = aws_service_discovery_service.this[0].name == "orders" && one(aws_service_discovery_service.this[0].dns_config).namespace_id == "ns-123"
    error_message = "the tasks register in the namespace under the service's name"
  }
  assert {
    condition     = length(aws_ecs_service.this.service_registries) == 1
    error_message = "the ECS service registers its tasks"
  }
}

run "rejects_a_launch_type_without_awsvpc_proxy_support" {
  command = plan
  variables {
    launch_type = "EXTERNAL"
  }
  expect_failures = [var.launch_type]
}

run "a_virtual_gateway_is_the_proxy_alone_without_redirect" {
  command = plan
  variables {
    name                 = "ingress"
    virtual_node_name    = null
    virtual_gateway_name = "ingress"
    gateway_ports        = [8080]
    app_containers       = []
    app_ports            = []
  }
  assert {
    condition     = length(aws_ecs_task_definition.this.proxy_configuration) == 0
    error_message = "a gateway is no sidecar: no proxy configuration"
  }
  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.this.container_definitions)) == 1 && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings == [{ containerPort = 8080, protocol = "tcp" }]
    error_message = "the proxy alone, publishing the gateway's listener"
  }
  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment, { name = "APPMESH_RESOURCE_ARN", value = "mesh/shop/virtualGateway/ingress" })
    error_message = "the proxy serves the gateway"
  }
  assert {
    condition     = data.aws_iam_policy_document.virtual_node.statement[0].resources == toset(["arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualGateway/ingress"])
    error_message = "the task role may stream the gateway's configuration"
  }
}

run "a_node_without_app_ports_is_refused" {
  command = plan
  variables {
    app_ports = []
  }
  expect_failures = [aws_ecs_task_definition.this]
}
