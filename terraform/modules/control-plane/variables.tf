variable "name" {
  description = "Prefix of every resource's name (at most 20 characters: the load balancer's and target group's names take 32)."
  type        = string
  default     = "meshwork"
  validation {
    condition     = can(regex("^[a-zA-Z0-9-]{1,20}$", var.name))
    error_message = "name must be 1 to 20 letters, digits or hyphens: it prefixes the load balancer's name, which takes at most 32 characters."
  }
}

variable "vpc_id" {
  description = "The VPC the control plane runs in (the meshed tasks' VPC, or one routed to it)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (at least two, in two availability zones) for the load balancer, the tasks and the database."
  type        = list(string)
}

variable "client_cidr_blocks" {
  description = "Who may reach the control API: the subnets of proxies, pipelines and Terraform runs."
  type        = list(string)
}

variable "control_api_image" {
  description = "The Meshwork control API image (mvn -Pimages builds it; push it to ECR: docs/images.md)."
  type        = string
}

variable "desired_count" {
  description = "Control API replicas behind the load balancer; they share the database."
  type        = number
  default     = 2
}

variable "cpu" {
  description = "Fargate CPU units per replica."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Fargate memory (MiB) per replica."
  type        = number
  default     = 1024
}

variable "cluster_arn" {
  description = "An ECS cluster to run in; null creates one."
  type        = string
  default     = null
}

variable "server_id" {
  description = "The host name proxies and clients reach the control API by (CONTROL_API_AWS_LOGIN_SERVER_ID); null: the load balancer's DNS name. Set it when a DNS alias points at the load balancer."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "An ACM certificate for server_id: the load balancer then serves HTTPS on 443 (recommended: AWS logins carry session credentials). Null: HTTP on 8080. Needs server_id: no certificate can name the load balancer's own DNS name."
  type        = string
  default     = null
  validation {
    condition     = var.certificate_arn == null || var.server_id != null
    error_message = "certificate_arn needs server_id: the name the certificate is for, which a DNS record points at the load balancer."
  }
}

variable "db_instance_class" {
  description = "The PostgreSQL instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "db_engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "db_allocated_storage" {
  description = "Database storage (GiB)."
  type        = number
  default     = 20
}

variable "db_multi_az" {
  description = "A standby in a second availability zone."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the database (and its data: meshes, keys, certificates) from terraform destroy."
  type        = bool
  default     = true
}

variable "cloudmap_enabled" {
  description = "Keep awsCloudMap virtual nodes' endpoints in step with AWS Cloud Map (CONTROL_API_CLOUDMAP_ENABLED)."
  type        = bool
  default     = true
}

variable "iam_policy_grants" {
  description = "Grant AWS callers (task roles, instance profiles) what their IAM policies allow on appmesh:/meshwork: actions, as App Mesh did, when no explicit mapping names their role (CONTROL_API_AWS_LOGIN_IAM_POLICIES)."
  type        = bool
  default     = true
}

variable "acm_pca_arns" {
  description = "AWS Private CAs that meshes may use for workload certificates (the control API's task role may issue from them)."
  type        = list(string)
  default     = []
}

variable "lambda_hooks_jar" {
  description = "Path of lambda-hooks/target/meshwork-lambda-hooks.jar: deploys the ECS task-state hook that deregisters a stopped task's proxies at once. Null: no hook."
  type        = string
  default     = null
}

variable "watched_cluster_arns" {
  description = "ECS clusters whose stopped tasks the hook deregisters (empty: every cluster of the account and region)."
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Retention of the control API's and the hook's logs."
  type        = number
  default     = 30
}

variable "environment" {
  description = "More CONTROL_API_* settings (docs/control-api.md), e.g. CONTROL_API_QUOTAS_MESHES."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
