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
  mesh_name         = "apps"
  virtual_node_name = "serviceB"
  meshwork_endpoint = "https://meshwork.internal"
  artifact_url      = "s3://releases/meshwork-0.1.0.tar.gz"
  app_ports         = [8000]
}

run "app_meshs_variables_in_the_env_file" {
  command = plan
  assert {
    condition = alltrue([for line in [
      "APPMESH_RESOURCE_ARN=mesh/apps/virtualNode/serviceB",
      "PROXY_CONTROL_API_URL=https://meshwork.internal",
      "AWS_REGION=eu-west-1",
      "APPMESH_IGNORE_UID=1337",
      "APPMESH_APP_PORTS=8000",
      "APPMESH_EGRESS_IGNORED_IP=169.254.169.254,169.254.170.2",
      "APPMESH_ENABLE_IPV6=0",
    ] : strcontains(output.user_data, "\n${line}\n")])
    error_message = "the env file holds App Mesh's variables for this node"
  }
  assert {
    condition     = strcontains(output.user_data, "aws s3 cp") && strcontains(output.user_data, "artifact='s3://releases/meshwork-0.1.0.tar.gz'")
    error_message = "the host fetches Meshwork from the artifact URL"
  }
  assert {
    condition     = strcontains(output.user_data, "systemctl enable --now meshwork-proxy-init.service meshwork-proxy.service")
    error_message = "the capture and the proxy start at boot"
  }
  assert {
    condition     = length(aws_iam_role_policy.virtual_node) == 0
    error_message = "no role given, no policy"
  }
}

run "the_instance_role_may_stream_its_node" {
  command = plan
  variables {
    instance_role_name = "serviceB-host"
    mesh_owner         = "444455556666"
  }
  assert {
    condition     = aws_iam_role_policy.virtual_node[0].role == "serviceB-host"
    error_message = "the policy goes on the instance profile's role"
  }
  assert {
    condition     = output.virtual_node_arn == "arn:aws:appmesh:eu-west-1:444455556666:mesh/apps/virtualNode/serviceB" && strcontains(output.user_data, "APPMESH_RESOURCE_ARN=mesh/apps@444455556666/virtualNode/serviceB")
    error_message = "a shared mesh's node"
  }
}
