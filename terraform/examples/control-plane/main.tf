# The Meshwork control plane in a VPC of its own: `terraform apply`, then point the aws
# provider's appmesh endpoint (and PROXY_CONTROL_API_URL) at the `endpoint` output.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "The AWS region."
  type        = string
  default     = "us-east-1"
}

variable "control_api_image" {
  description = "The control API image in your ECR (mvn -Pimages; docs/images.md)."
  type        = string
}

variable "lambda_hooks_jar" {
  description = "lambda-hooks/target/meshwork-lambda-hooks.jar, for the ECS task hook (null: none)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the database from destroy (set false for a throwaway try-out)."
  type        = bool
  default     = true
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "this" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "meshwork" }
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags              = { Name = "meshwork-private-${count.index}" }
}

# The tasks pull their image and call AWS (STS, IAM, Cloud Map, Secrets Manager, logs) through a NAT
# gateway; nothing reaches them from outside.
resource "aws_subnet" "public" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, 100)
  availability_zone = data.aws_availability_zones.available.names[0]
  tags              = { Name = "meshwork-public" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "meshwork" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
  tags = { Name = "meshwork-public" }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = { Name = "meshwork-nat" }
}

resource "aws_nat_gateway" "this" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  tags          = { Name = "meshwork" }
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this.id
  }
  tags = { Name = "meshwork-private" }
}

resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

module "meshwork" {
  source = "../../modules/control-plane"

  vpc_id              = aws_vpc.this.id
  subnet_ids          = aws_subnet.private[*].id
  client_cidr_blocks  = [aws_vpc.this.cidr_block]
  control_api_image   = var.control_api_image
  lambda_hooks_jar    = var.lambda_hooks_jar
  deletion_protection = var.deletion_protection
  db_multi_az         = false
}

output "endpoint" {
  description = "The control API (aws provider endpoints { appmesh = ... })."
  value       = module.meshwork.endpoint
}

output "root_access_key_secret_arn" {
  description = "aws secretsmanager get-secret-value --secret-id <this>: the first administrator's key."
  value       = module.meshwork.root_access_key_secret_arn
}

output "vpc_id" {
  description = "The VPC: meshed services go here (examples/ecs-mesh)."
  value       = aws_vpc.this.id
}

output "subnet_ids" {
  description = "Its private subnets."
  value       = aws_subnet.private[*].id
}
