# A realistic App Mesh stack, as a platform team would have it in Terraform, applied against
# Meshwork through the stock hashicorp/aws provider. Only the endpoint differs from AWS.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" { type = string }
variable "access_key" { type = string }
variable "secret_key" { type = string }
variable "canary_weight" {
  type    = number
  default = 10
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = var.access_key
  secret_key                  = var.secret_key
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    appmesh = var.endpoint
  }
}

resource "aws_appmesh_mesh" "shop" {
  name = "shop"
  spec {
    egress_filter {
      type = "ALLOW_ALL"
    }
    service_discovery {
      ip_preference = "IPv4_PREFERRED"
    }
  }
  tags = {
    team = "platform"
  }
}

resource "aws_appmesh_mesh" "bare" {
  name = "bare"
}

resource "aws_appmesh_virtual_node" "catalog_v1" {
  name      = "catalog-v1"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
      health_check {
        protocol            = "http"
        path                = "/ping"
        healthy_threshold   = 2
        unhealthy_threshold = 2
        timeout_millis      = 2000
        interval_millis     = 5000
      }
      outlier_detection {
        max_server_errors    = 5
        max_ejection_percent = 50
        interval {
          unit  = "s"
          value = 10
        }
        base_ejection_duration {
          unit  = "s"
          value = 30
        }
      }
      connection_pool {
        http {
          max_connections      = 100
          max_pending_requests = 20
        }
      }
      timeout {
        http {
          per_request {
            unit  = "s"
            value = 20
          }
          idle {
            unit  = "s"
            value = 300
          }
        }
      }
    }
    service_discovery {
      dns {
        hostname = "catalog-v1.shop.local"
      }
    }
    logging {
      access_log {
        file {
          path = "/dev/stdout"
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_node" "catalog_v2" {
  name      = "catalog-v2"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
    service_discovery {
      aws_cloud_map {
        namespace_name = "shop.local"
        service_name   = "catalog"
        attributes = {
          version = "v2"
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_node" "frontend" {
  name      = "frontend"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 3000
        protocol = "http"
      }
    }
    service_discovery {
      dns {
        hostname      = "frontend.shop.local"
        response_type = "ENDPOINTS"
      }
    }
    backend {
      virtual_service {
        virtual_service_name = "catalog.shop.local"
        client_policy {
          tls {
            enforce = true
            ports   = [8080]
            validation {
              trust {
                file {
                  certificate_chain = "/etc/ssl/mesh-ca.pem"
                }
              }
              subject_alternative_names {
                match {
                  exact = ["catalog.shop.local"]
                }
              }
            }
          }
        }
      }
    }
    backend_defaults {
      client_policy {
        tls {
          validation {
            trust {
              sds {
                secret_name = "spiffe://meshwork.local"
              }
            }
          }
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_node" "grpc_api" {
  name      = "grpc-api"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 50051
        protocol = "grpc"
      }
      connection_pool {
        grpc {
          max_requests = 64
        }
      }
    }
    service_discovery {
      dns {
        hostname = "grpc-api.shop.local"
      }
    }
  }
}

resource "aws_appmesh_virtual_router" "catalog" {
  name      = "catalog"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
  }
}

resource "aws_appmesh_route" "catalog" {
  name                = "catalog"
  mesh_name           = aws_appmesh_mesh.shop.id
  virtual_router_name = aws_appmesh_virtual_router.catalog.name
  spec {
    priority = 10
    http_route {
      match {
        prefix = "/"
        header {
          name   = "x-canary"
          invert = true
          match {
            exact = "force"
          }
        }
      }
      action {
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.catalog_v1.name
          weight       = 100 - var.canary_weight
        }
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.catalog_v2.name
          weight       = var.canary_weight
        }
      }
      retry_policy {
        http_retry_events = ["server-error", "gateway-error"]
        tcp_retry_events  = ["connection-error"]
        max_retries       = 3
        per_retry_timeout {
          unit  = "ms"
          value = 500
        }
      }
      timeout {
        per_request {
          unit  = "s"
          value = 15
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_router" "grpc" {
  name      = "grpc"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 50051
        protocol = "grpc"
      }
    }
  }
}

resource "aws_appmesh_route" "grpc" {
  name                = "grpc"
  mesh_name           = aws_appmesh_mesh.shop.id
  virtual_router_name = aws_appmesh_virtual_router.grpc.name
  spec {
    grpc_route {
      match {
        service_name = "shop.Catalog"
        method_name  = "List"
        metadata {
          name = "tenant"
          match {
            range {
              start = 1
              end   = 100
            }
          }
        }
      }
      action {
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.grpc_api.name
          weight       = 100
        }
      }
      retry_policy {
        grpc_retry_events = ["unavailable", "cancelled"]
        max_retries       = 2
        per_retry_timeout {
          unit  = "s"
          value = 1
        }
      }
    }
  }
}

resource "aws_appmesh_route" "grpc_tcp_fallback" {
  name                = "tcp-fallback"
  mesh_name           = aws_appmesh_mesh.shop.id
  virtual_router_name = aws_appmesh_virtual_router.catalog.name
  spec {
    priority = 900
    http_route {
      match {
        path {
          exact = "/healthz"
        }
        method = "GET"
        query_parameter {
          name = "full"
          match {
            exact = "1"
          }
        }
      }
      action {
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.catalog_v1.name
          weight       = 1
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_service" "catalog" {
  name      = "catalog.shop.local"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    provider {
      virtual_router {
        virtual_router_name = aws_appmesh_virtual_router.catalog.name
      }
    }
  }
}

resource "aws_appmesh_virtual_service" "frontend" {
  name      = "frontend.shop.local"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    provider {
      virtual_node {
        virtual_node_name = aws_appmesh_virtual_node.frontend.name
      }
    }
  }
}

resource "aws_appmesh_virtual_gateway" "ingress" {
  name      = "ingress"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8443
        protocol = "http"
      }
      health_check {
        port                = 8443
        protocol            = "http"
        path                = "/"
        healthy_threshold   = 2
        unhealthy_threshold = 2
        timeout_millis      = 2000
        interval_millis     = 5000
      }
      connection_pool {
        http {
          max_connections = 512
        }
      }
    }
    logging {
      access_log {
        file {
          path = "/dev/stdout"
        }
      }
    }
  }
  tags = {
    exposure = "public"
  }
}

resource "aws_appmesh_gateway_route" "shop" {
  name                 = "shop"
  mesh_name            = aws_appmesh_mesh.shop.id
  virtual_gateway_name = aws_appmesh_virtual_gateway.ingress.name
  spec {
    http_route {
      match {
        prefix = "/shop/"
        hostname {
          suffix = ".example.com"
        }
      }
      action {
        target {
          virtual_service {
            virtual_service_name = aws_appmesh_virtual_service.frontend.name
          }
        }
        rewrite {
          prefix {
            value = "/"
          }
        }
      }
    }
  }
}

output "route_arn" {
  value = aws_appmesh_route.catalog.arn
}
