# The root access key (the first administrator's) and the key that encrypts stored secrets. Every
# replica must hold the same encryption key. The values are generated once by Secrets Manager and
# never changed by a later apply (rotating the encryption key needs the control API: docs/control-api.md).

data "aws_secretsmanager_random_password" "root_key_id" {
  password_length     = 16
  exclude_punctuation = true
  exclude_lowercase   = true
}

data "aws_secretsmanager_random_password" "root_secret" {
  password_length     = 40
  exclude_punctuation = true
}

data "aws_secretsmanager_random_password" "encryption_key" {
  password_length     = 32
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "root_key" {
  name_prefix = "${var.name}/root-access-key-"
  description = "Meshwork control API root access key (SigV4, profile-style: access_key_id, secret_access_key)"
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "root_key" {
  secret_id = aws_secretsmanager_secret.root_key.id
  secret_string = jsonencode({
    # MWK: never MWS (Meshwork sessions) nor AKIA/ASIA (AWS keys), which clients tell apart by prefix.
    access_key_id     = "MWK${data.aws_secretsmanager_random_password.root_key_id.random_password}"
    secret_access_key = data.aws_secretsmanager_random_password.root_secret.random_password
  })
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_secretsmanager_secret" "encryption_key" {
  name_prefix = "${var.name}/encryption-key-"
  description = "Meshwork control API encryption key for stored secrets (base64 of 32 bytes; shared by all replicas)"
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "encryption_key" {
  secret_id     = aws_secretsmanager_secret.encryption_key.id
  secret_string = base64encode(data.aws_secretsmanager_random_password.encryption_key.random_password)
  lifecycle {
    ignore_changes = [secret_string]
  }
}
