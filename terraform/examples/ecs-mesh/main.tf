# A two-service mesh on ECS with Meshwork: a frontend calling a backend whose route sends a canary
# share to v2, and a virtual gateway in front. The aws_appmesh_* resources are App Mesh's own, sent to
# Meshwork's control API; the ECS services use terraform/modules/meshed-service where an App Mesh
# stack had its Envoy task definitions.
#
#   terraform apply -var meshwork_endpoint=... -var vpc_id=... -var 'subnet_ids=[...]' \
#     -var proxy_image=... (with a Meshwork key in the "meshwork" profile: README.md)

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

# AWS itself: ECS, IAM, Cloud Map, logs.
provider "aws" {
  region = var.region
}

# The mesh: the stock provider with Meshwork as its appmesh endpoint, signing with a Meshwork key.
provider "aws" {
  alias                       = "meshwork"
  region                      = var.region
  profile                     = var.meshwork_profile
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  endpoints {
    appmesh = var.meshwork_endpoint
  }
}

variable "region" {
  description = "The AWS region (and the control API's CONTROL_API_REGION)."
  type        = string
  default     = "us-east-1"
}

variable "meshwork_endpoint" {
  description = "The control API: the control-plane module's endpoint output."
  type        = string
}

variable "meshwork_profile" {
  description = "The AWS CLI profile holding a Meshwork access key (appmesh:* on the mesh)."
  type        = string
  default     = "meshwork"
}

variable "vpc_id" {
  description = "The VPC of the tasks (examples/control-plane's output)."
  type        = string
}

variable "subnet_ids" {
  description = "The tasks' subnets."
  type        = list(string)
}

variable "proxy_image" {
  description = "The Meshwork proxy image in your ECR."
  type        = string
}

variable "app_image" {
  description = "An image with python3 for the demo app (replace the apps with yours)."
  type        = string
  default     = "public.ecr.aws/docker/library/python:3.12-slim"
}

variable "canary_weight" {
  description = "The share (of 100) of backend calls that go to backend-v2."
  type        = number
  default     = 10
}

output "gateway_service" {
  description = "The ECS service of the virtual gateway (put a load balancer in front of it on port 8080)."
  value       = module.gateway.service_name
}

output "task_definitions" {
  description = "The task definitions registered, by service."
  value = {
    frontend   = module.frontend.task_definition_arn
    backend-v1 = module.backend["v1"].task_definition_arn
    backend-v2 = module.backend["v2"].task_definition_arn
    gateway    = module.gateway.task_definition_arn
  }
}
