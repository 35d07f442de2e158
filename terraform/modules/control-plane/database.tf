# PostgreSQL for every replica. Its password is the module's own secret, generated once and never
# rotated behind the control API's back: ECS hands it to the tasks at start, and an RDS-managed
# master password (manage_master_user_password) would rotate every 7 days under running replicas.
# To change it: put a new value in the secret and in the database, then restart the service.

data "aws_secretsmanager_random_password" "database" {
  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "database" {
  name_prefix = "${var.name}/database-"
  description = "Meshwork control API database password (user meshwork)"
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "database" {
  secret_id     = aws_secretsmanager_secret.database.id
  secret_string = data.aws_secretsmanager_random_password.database.random_password
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_security_group" "database" {
  name        = "${var.name}-database"
  description = "Meshwork control API database"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_security_group_rule" "database_from_tasks" {
  type                     = "ingress"
  security_group_id        = aws_security_group.database.id
  description              = "PostgreSQL from the control API"
  source_security_group_id = aws_security_group.tasks.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_db_subnet_group" "this" {
  name       = "${var.name}-database"
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_db_instance" "this" {
  identifier                = "${var.name}-control-api"
  engine                    = "postgres"
  engine_version            = var.db_engine_version
  instance_class            = var.db_instance_class
  allocated_storage         = var.db_allocated_storage
  storage_encrypted         = true
  db_name                   = "meshwork"
  username                  = "meshwork"
  password                  = aws_secretsmanager_secret_version.database.secret_string
  db_subnet_group_name      = aws_db_subnet_group.this.name
  vpc_security_group_ids    = [aws_security_group.database.id]
  multi_az                  = var.db_multi_az
  backup_retention_period   = 7
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = !var.deletion_protection
  final_snapshot_identifier = var.deletion_protection ? "${var.name}-control-api-final" : null
  tags                      = var.tags
}
