data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The execution role: ECS pulls the image, writes logs and hands the secrets to the container.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-control-api-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      aws_secretsmanager_secret.root_key.arn,
      aws_secretsmanager_secret.encryption_key.arn,
      aws_secretsmanager_secret.database.arn,
    ]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

# The task role: what the control API itself does in AWS.
resource "aws_iam_role" "task" {
  name               = "${var.name}-control-api"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "task" {
  # Cloud Map sync, both ways: awsCloudMap nodes' instances in, proxies that register themselves out.
  dynamic "statement" {
    for_each = var.cloudmap_enabled ? [1] : []
    content {
      sid = "CloudMap"
      actions = [
        "servicediscovery:DiscoverInstances", "servicediscovery:ListInstances", "servicediscovery:GetInstancesHealthStatus",
        "servicediscovery:ListNamespaces", "servicediscovery:ListServices", "servicediscovery:GetService",
        "servicediscovery:GetNamespace", "servicediscovery:RegisterInstance", "servicediscovery:DeregisterInstance",
        "servicediscovery:UpdateInstanceCustomHealthStatus", "servicediscovery:GetOperation",
        "route53:ChangeResourceRecordSets", "route53:GetHealthCheck", "route53:CreateHealthCheck",
        "route53:UpdateHealthCheck", "route53:DeleteHealthCheck", "ec2:DescribeInstances",
      ]
      resources = ["*"]
    }
  }
  # AWS logins may grant what a role's IAM policies allow on appmesh:/meshwork: actions.
  dynamic "statement" {
    for_each = var.iam_policy_grants ? [1] : []
    content {
      sid = "ReadCallersPolicies"
      actions = [
        "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
        "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListAttachedUserPolicies",
        "iam:GetPolicy", "iam:GetPolicyVersion",
      ]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = length(var.acm_pca_arns) > 0 ? [1] : []
    content {
      sid       = "PrivateCertificateAuthorities"
      actions   = ["acm-pca:IssueCertificate", "acm-pca:GetCertificate", "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:DescribeCertificateAuthority"]
      resources = var.acm_pca_arns
    }
  }
  # An empty role policy is refused: this one always holds.
  statement {
    sid       = "Identity"
    actions   = ["sts:GetCallerIdentity"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "control-api"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
