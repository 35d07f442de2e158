# The mesh, as an App Mesh user wrote it: only the provider is Meshwork's.

resource "aws_appmesh_mesh" "shop" {
  provider = aws.meshwork
  name     = "shop"
  spec {
    egress_filter {
      type = "DROP_ALL"
    }
  }
}

resource "aws_appmesh_virtual_node" "frontend" {
  provider  = aws.meshwork
  name      = "frontend"
  mesh_name = aws_appmesh_mesh.shop.name
  spec {
    backend {
      virtual_service {
        virtual_service_name = "backend.shop.local"
      }
    }
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
    service_discovery {
      aws_cloud_map {
        namespace_name = aws_service_discovery_private_dns_namespace.shop.name
        service_name   = "frontend"
      }
    }
  }
}

resource "aws_appmesh_virtual_node" "backend" {
  for_each  = toset(["v1", "v2"])
  provider  = aws.meshwork
  name      = "backend-${each.key}"
  mesh_name = aws_appmesh_mesh.shop.name
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
      health_check {
        protocol            = "http"
        path                = "/"
        healthy_threshold   = 2
        unhealthy_threshold = 3
        timeout_millis      = 2000
        interval_millis     = 5000
      }
    }
    service_discovery {
      aws_cloud_map {
        namespace_name = aws_service_discovery_private_dns_namespace.shop.name
        service_name   = "backend-${each.key}"
      }
    }
  }
}

resource "aws_appmesh_virtual_router" "backend" {
  provider  = aws.meshwork
  name      = "backend"
  mesh_name = aws_appmesh_mesh.shop.name
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
  }
}

resource "aws_appmesh_route" "backend" {
  provider            = aws.meshwork
  name                = "backend"
  mesh_name           = aws_appmesh_mesh.shop.name
  virtual_router_name = aws_appmesh_virtual_router.backend.name
  spec {
    http_route {
      match {
        prefix = "/"
      }
      action {
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.backend["v1"].name
          weight       = 100 - var.canary_weight
        }
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.backend["v2"].name
          weight       = var.canary_weight
        }
      }
      retry_policy {
        http_retry_events = ["server-error", "gateway-error"]
        max_retries       = 2
        per_retry_timeout {
          unit  = "s"
          value = 2
        }
      }
      timeout {
        per_request {
          unit  = "s"
          value = 10
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_service" "backend" {
  provider  = aws.meshwork
  name      = "backend.shop.local"
  mesh_name = aws_appmesh_mesh.shop.name
  spec {
    provider {
      virtual_router {
        virtual_router_name = aws_appmesh_virtual_router.backend.name
      }
    }
  }
}

resource "aws_appmesh_virtual_service" "frontend" {
  provider  = aws.meshwork
  name      = "frontend.shop.local"
  mesh_name = aws_appmesh_mesh.shop.name
  spec {
    provider {
      virtual_node {
        virtual_node_name = aws_appmesh_virtual_node.frontend.name
      }
    }
  }
}

resource "aws_appmesh_virtual_gateway" "ingress" {
  provider  = aws.meshwork
  name      = "ingress"
  mesh_name = aws_appmesh_mesh.shop.name
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
  }
}

resource "aws_appmesh_gateway_route" "frontend" {
  provider             = aws.meshwork
  name                 = "frontend"
  mesh_name            = aws_appmesh_mesh.shop.name
  virtual_gateway_name = aws_appmesh_virtual_gateway.ingress.name
  spec {
    http_route {
      match {
        prefix = "/"
      }
      action {
        target {
          virtual_service {
            virtual_service_name = aws_appmesh_virtual_service.frontend.name
          }
        }
      }
    }
  }
}
