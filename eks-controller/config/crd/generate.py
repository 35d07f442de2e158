#!/usr/bin/env python3
"""Writes the appmesh.k8s.aws/v1beta2 CustomResourceDefinitions into bases/.

The seven kinds keep the schema users already have from the AWS App Mesh controller (same field
names, types, required lists, enums and bounds), so every existing manifest still applies. This
file is the source of truth: edit it, run it, and commit both it and bases/. The test
CustomResourceDefinitionsTest fails when bases/ is not what this script writes.

    python3 generate.py            # rewrite bases/
    python3 generate.py --out DIR  # write into DIR instead (used by the test)

Standard library only; the YAML writer below emits the small subset the CRDs need, with keys in
alphabetical order so the output is stable.
"""

import argparse
import json
import os
import re
import sys

GROUP = "appmesh.k8s.aws"
VERSION = "v1beta2"


# ---------------------------------------------------------------------------------------------
# Schema building blocks

def string(desc=None, enum=None, min_len=None, max_len=None, fmt=None):
    s = {"type": "string"}
    _put(s, "description", desc)
    _put(s, "enum", enum)
    _put(s, "minLength", min_len)
    _put(s, "maxLength", max_len)
    _put(s, "format", fmt)
    return s


def integer(desc=None, minimum=None, maximum=None):
    s = {"type": "integer", "format": "int64"}
    _put(s, "description", desc)
    _put(s, "minimum", minimum)
    _put(s, "maximum", maximum)
    return s


def boolean(desc=None):
    s = {"type": "boolean"}
    _put(s, "description", desc)
    return s


def array(items, desc=None, min_items=None, max_items=None, atomic=False):
    s = {"type": "array", "items": items}
    _put(s, "description", desc)
    _put(s, "minItems", min_items)
    _put(s, "maxItems", max_items)
    if atomic:
        s["x-kubernetes-list-type"] = "atomic"
    return s


def obj(desc=None, required=(), **props):
    """An object with the given properties; `required` names must be among them."""
    s = {"type": "object"}
    _put(s, "description", desc)
    if props:
        s["properties"] = props
    missing = [r for r in required if r not in props]
    if missing:
        raise ValueError("required names %s are not properties of %s" % (missing, sorted(props)))
    if required:
        s["required"] = sorted(required)
    return s


def string_map(desc=None):
    s = {"type": "object", "additionalProperties": {"type": "string"}}
    _put(s, "description", desc)
    return s


def described(schema, desc):
    """A copy of a shared schema with a description for this use of it."""
    s = dict(schema)
    s["description"] = desc
    return s


def _put(s, key, value):
    if value is not None:
        s[key] = value


# ---------------------------------------------------------------------------------------------
# Types shared by several kinds

def label_selector(desc):
    requirement = obj(
        "One requirement: a label key, an operator and the values it applies to.",
        required=("key", "operator"),
        key=string("The label key."),
        operator=string("In, NotIn, Exists or DoesNotExist."),
        values=array(string(), "Values for In and NotIn; empty for Exists and DoesNotExist.",
                     atomic=True),
    )
    s = obj(
        desc,
        matchExpressions=array(requirement, "Requirements that must all hold.", atomic=True),
        matchLabels=string_map("Labels that must all be present with these values."),
    )
    s["x-kubernetes-map-type"] = "atomic"
    return s


def duration(desc):
    return obj(desc, required=("unit", "value"),
               unit=string("Unit of the value: s or ms.", enum=["s", "ms"]),
               value=integer("Number of units.", minimum=0))


def port_number(desc):
    return integer(desc, minimum=1, maximum=65535)


def port_mapping(protocols):
    return obj("Port and protocol the listener accepts.", required=("port", "protocol"),
               port=port_number("Port number."),
               protocol=string("Application protocol on that port.", enum=protocols))


NODE_PROTOCOLS = ["grpc", "http", "http2", "tcp"]
GATEWAY_PROTOCOLS = ["grpc", "http", "http2"]
HTTP_METHODS = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]
ENABLED_DISABLED = ["ENABLED", "DISABLED"]


def ref(kind):
    return obj("Reference to a %s object in this cluster." % kind, required=("name",),
               namespace=string("Namespace of the %s; the referring object's own when unset." % kind),
               name=string("Name of the %s." % kind))


def mesh_ref():
    return obj("The Mesh this object belongs to. Set by the admission webhook; users leave it out.",
               required=("name", "uid"),
               name=string("Name of the Mesh."),
               uid=string("UID of the Mesh."))


def virtual_gateway_ref():
    return obj("The VirtualGateway this route belongs to. Set by the admission webhook.",
               required=("name", "uid"),
               namespace=string("Namespace of the VirtualGateway."),
               name=string("Name of the VirtualGateway."),
               uid=string("UID of the VirtualGateway."))


def aws_name(default_form):
    return string("Name of the object in the App Mesh API. Defaults to %s." % default_form)


def bounded_string(desc, max_len=255):
    return string(desc, min_len=1, max_len=max_len)


def value_match(desc):
    return obj(desc,
               exact=bounded_string("Matches this exact value."),
               prefix=bounded_string("Matches values starting with this."),
               suffix=bounded_string("Matches values ending with this."),
               regex=bounded_string("Matches values containing a match of this regular expression."),
               range=obj("Matches a number between start and end.", required=("start", "end"),
                         start=integer("First value in the range."),
                         end=integer("End of the range.")))


def header_match(desc):
    return obj(desc, required=("name",),
               name=bounded_string("Header name.", max_len=50),
               match=value_match("How the header value must look."),
               invert=boolean("Match when the value does not match."))


def path_match():
    return obj("Matches the request path.",
               exact=bounded_string("The path must equal this."),
               regex=bounded_string("The path must match this regular expression."))


def query_parameters():
    return array(obj("One query parameter to match.", required=("name",),
                     name=string("Query parameter name."),
                     match=obj("How the value must look.",
                               exact=string("The value must equal this."))),
                 "Query parameters that must all match.", min_items=1, max_items=10)


def http_timeout(desc):
    return obj(desc,
               perRequest=duration("Time allowed for one request."),
               idle=duration("Time a connection may stay idle."))


def tcp_timeout(desc):
    return obj(desc, idle=duration("Time a connection may stay idle."))


def tcp_pool():
    return obj("TCP connection limits.", required=("maxConnections",),
               maxConnections=integer("Most connections open at once.", minimum=1))


def http_pool():
    return obj("HTTP/1 connection limits.", required=("maxConnections",),
               maxConnections=integer("Most connections open at once.", minimum=1),
               maxPendingRequests=integer("Most requests queued waiting for a connection.",
                                          minimum=1))


def request_pool(protocol):
    return obj("%s request limits." % protocol, required=("maxRequests",),
               maxRequests=integer("Most requests in flight at once.", minimum=1))


def subject_alternative_names():
    return obj("Names the peer certificate must carry.", required=("match",),
               match=obj("Names to match.", required=("exact",),
                         exact=array(string(), "Accepted names, matched exactly.")))


def acm_trust():
    return obj("Trust certificate authorities from AWS Certificate Manager.",
               required=("certificateAuthorityARNs",),
               certificateAuthorityARNs=array(string(), "ARNs of the certificate authorities.",
                                              min_items=1, max_items=3))


def file_trust():
    return obj("Trust a CA bundle on the proxy's file system.", required=("certificateChain",),
               certificateChain=bounded_string("Path to the CA bundle."))


def sds_trust():
    return obj("Trust a CA bundle served over SDS.", required=("secretName",),
               secretName=string("SDS secret name."))


def file_certificate():
    return obj("A certificate and key on the proxy's file system.",
               required=("certificateChain", "privateKey"),
               certificateChain=bounded_string("Path to the certificate chain."),
               privateKey=bounded_string("Path to the private key."))


def sds_certificate():
    return obj("A certificate served over SDS.", required=("secretName",),
               secretName=string("SDS secret name."))


def client_policy():
    return obj(
        "Policy for connections to backends.",
        tls=obj(
            "TLS the proxy uses towards backends.", required=("validation",),
            enforce=boolean("Whether TLS is required."),
            ports=array(port_number("A backend port."), "Ports the policy applies to; all when unset."),
            certificate=obj("Client certificate for mutual TLS.",
                            file=file_certificate(), sds=sds_certificate()),
            validation=obj("How the backend's certificate is checked.", required=("trust",),
                           trust=obj("Where trusted CAs come from.",
                                     acm=acm_trust(), file=file_trust(), sds=sds_trust()),
                           subjectAlternativeNames=subject_alternative_names()),
        ))


def listener_tls(trust):
    return obj(
        "TLS on the listener.", required=("certificate", "mode"),
        certificate=obj("The listener's certificate.",
                        acm=obj("A certificate from AWS Certificate Manager.",
                                required=("certificateARN",),
                                certificateARN=string("ARN of the certificate.")),
                        file=file_certificate(), sds=sds_certificate()),
        mode=string("STRICT accepts TLS only, PERMISSIVE accepts both, DISABLED plain text only.",
                    enum=["DISABLED", "PERMISSIVE", "STRICT"]),
        validation=obj("How client certificates are checked.", required=("trust",),
                       trust=trust, subjectAlternativeNames=subject_alternative_names()))


def health_check(protocols, required):
    return obj(
        "Active health check of the application behind the listener.", required=required,
        healthyThreshold=integer("Successes in a row before the target is healthy.",
                                 minimum=2, maximum=10),
        unhealthyThreshold=integer("Failures in a row before the target is unhealthy.",
                                   minimum=2, maximum=10),
        intervalMillis=integer("Milliseconds between checks.", minimum=5000, maximum=300000),
        timeoutMillis=integer("Milliseconds to wait for an answer.", minimum=2000, maximum=60000),
        path=string("Request path, for http and http2 checks."),
        port=port_number("Port to check; the listener's when unset."),
        protocol=string("Protocol of the check.", enum=protocols))


def logging(owner):
    return obj(
        "Access logging of the %s's proxy." % owner,
        accessLog=obj(
            "Where access logs go.",
            file=obj("Write access logs to a file.", required=("path",),
                     path=bounded_string("File path, or /dev/stdout."),
                     format=obj("Log line format.",
                                json=array(obj("One JSON field.", required=("key", "value"),
                                               key=string("Field name.", min_len=1),
                                               value=string("Format string for the field.",
                                                            min_len=1)),
                                           "Write each line as a JSON object with these fields."),
                                text=string("Write each line with this format string.")))))


def conditions(kind):
    return array(obj("One observed condition.", required=("status", "type"),
                     type=string("Condition type, e.g. %sActive." % kind),
                     status=string("True, False or Unknown."),
                     lastTransitionTime=string("When the status last changed.", fmt="date-time"),
                     reason=string("Machine-readable reason for the last change."),
                     message=string("Human-readable detail of the last change.")),
                 "Conditions of the %s." % kind)


def status(kind, arn_field, **extra):
    return obj("State observed by the controller.",
               conditions=conditions(kind),
               observedGeneration=integer("The metadata.generation the status describes."),
               **{arn_field: string("ARN of the %s in the App Mesh API." % kind)},
               **extra)


# ---------------------------------------------------------------------------------------------
# The kinds

def mesh_spec():
    return obj(
        "Desired state of a Mesh.",
        awsName=aws_name("the object's name"),
        namespaceSelector=label_selector(
            "Namespaces whose App Mesh objects belong to this mesh. Empty selects every "
            "namespace; unset selects none."),
        egressFilter=obj("Which outbound traffic the mesh's proxies let through.",
                         required=("type",),
                         type=string("ALLOW_ALL lets any destination through; DROP_ALL only "
                                     "destinations in the mesh.",
                                     enum=["ALLOW_ALL", "DROP_ALL"])),
        meshOwner=string("AWS account ID owning the mesh, when it is not this account."),
        meshServiceDiscovery=obj("Service discovery settings for the whole mesh.",
                                 ipPreference=string("IP family the proxies prefer.",
                                                     enum=["IPv6_ONLY", "IPv4_ONLY"])))


def virtual_node_spec():
    listener = obj(
        "One inbound listener.", required=("portMapping",),
        portMapping=port_mapping(NODE_PROTOCOLS),
        healthCheck=health_check(NODE_PROTOCOLS,
                                 ("healthyThreshold", "intervalMillis", "protocol",
                                  "timeoutMillis", "unhealthyThreshold")),
        outlierDetection=obj(
            "Ejects hosts that keep returning server errors from load balancing.",
            required=("maxServerErrors", "interval", "baseEjectionDuration",
                      "maxEjectionPercent"),
            maxServerErrors=integer("Server errors within an interval that eject a host.",
                                    minimum=1),
            interval=duration("Time between ejection sweeps."),
            baseEjectionDuration=duration("Ejection time, multiplied by the number of ejections."),
            maxEjectionPercent=integer("Largest share of hosts that may be ejected, in percent.",
                                       minimum=0, maximum=100)),
        connectionPool=obj("Limits on connections into the application, per protocol.",
                           tcp=tcp_pool(), http=http_pool(), http2=request_pool("HTTP/2"),
                           grpc=request_pool("gRPC")),
        tls=listener_tls(obj("Where trusted CAs for client certificates come from.",
                             file=file_trust(), sds=sds_trust())),
        timeout=obj("Timeouts per protocol.",
                    tcp=tcp_timeout("TCP timeouts."), http=http_timeout("HTTP timeouts."),
                    http2=http_timeout("HTTP/2 timeouts."), grpc=http_timeout("gRPC timeouts.")))
    backend = obj(
        "One backend.", required=("virtualService",),
        virtualService=obj(
            "A virtual service this node calls. Give exactly one of virtualServiceRef and "
            "virtualServiceARN.",
            virtualServiceRef=ref("VirtualService"),
            virtualServiceARN=string("ARN of a virtual service in the App Mesh API."),
            clientPolicy=client_policy()))
    return obj(
        "Desired state of a VirtualNode.",
        awsName=aws_name("<name>_<namespace>"),
        podSelector=label_selector(
            "Pods in this namespace that run this node. Empty selects every pod; unset selects "
            "none."),
        listeners=array(listener, "Inbound listeners.", min_items=0),
        serviceDiscovery=obj(
            "How callers find this node's instances. Needed when there is a listener.",
            awsCloudMap=obj("Discovery through AWS Cloud Map.",
                            required=("namespaceName", "serviceName"),
                            namespaceName=bounded_string("Cloud Map namespace.", max_len=1024),
                            serviceName=bounded_string("Cloud Map service.", max_len=1024),
                            attributes=array(
                                obj("An instance attribute to filter on.",
                                    required=("key", "value"),
                                    key=bounded_string("Attribute name."),
                                    value=bounded_string("Attribute value.", max_len=1024)),
                                "Only instances with all these attributes.")),
            dns=obj("Discovery through DNS.", required=("hostname",),
                    hostname=string("Host name to resolve."),
                    responseType=string("ENDPOINTS balances over every address; LOADBALANCER "
                                        "uses the name as one endpoint.",
                                        enum=["ENDPOINTS", "LOADBALANCER"]))),
        backends=array(backend, "Virtual services this node sends traffic to."),
        backendGroups=array(ref("BackendGroup"), "BackendGroups whose virtual services are "
                                                 "backends of this node."),
        backendDefaults=obj("Defaults for every backend.", clientPolicy=client_policy()),
        logging=logging("node"),
        meshRef=mesh_ref())


def weighted_targets():
    return array(obj("A target and its share of traffic.", required=("weight",),
                     virtualNodeRef=ref("VirtualNode"),
                     virtualNodeARN=string("ARN of a virtual node in the App Mesh API. Give "
                                           "exactly one of virtualNodeRef and virtualNodeARN."),
                     weight=integer("Relative weight.", minimum=0, maximum=100),
                     port=integer("Target port, when the node has several listeners.",
                                  minimum=0)),
                 "Targets and their weights.", min_items=1, max_items=10)


def route_action():
    return obj("Where matching requests go.", required=("weightedTargets",),
               weightedTargets=weighted_targets())


HTTP_RETRY_EVENTS = ["server-error", "gateway-error", "client-error", "stream-error"]
GRPC_RETRY_EVENTS = ["cancelled", "deadline-exceeded", "internal", "resource-exhausted",
                     "unavailable"]


def retry_policy(grpc=False):
    events = dict(
        httpRetryEvents=array(string(enum=HTTP_RETRY_EVENTS), "HTTP outcomes to retry.",
                              min_items=1, max_items=25),
        tcpRetryEvents=array(string(enum=["connection-error"]), "TCP outcomes to retry.",
                             min_items=1, max_items=1))
    if grpc:
        events["grpcRetryEvents"] = array(string(enum=GRPC_RETRY_EVENTS),
                                          "gRPC status codes to retry.", min_items=1,
                                          max_items=5)
    return obj("When and how often to retry.", required=("maxRetries", "perRetryTimeout"),
               maxRetries=integer("Most retries per request.", minimum=0),
               perRetryTimeout=duration("Time allowed for each try."),
               **events)


def http_route(desc):
    return obj(
        desc, required=("match", "action"),
        match=obj("Which requests the route takes.",
                  prefix=string("Path prefix."),
                  path=path_match(),
                  method=string("Request method.", enum=HTTP_METHODS),
                  scheme=string("Request scheme.", enum=["http", "https"]),
                  headers=array(header_match("A header to match."), "Headers that must all match.",
                                min_items=1, max_items=10),
                  queryParameters=query_parameters(),
                  port=integer("Listener port the request arrived on.", minimum=0)),
        action=route_action(),
        retryPolicy=retry_policy(),
        timeout=http_timeout("Timeouts of the route."))


def virtual_router_spec():
    grpc_route = obj(
        "A gRPC route.", required=("match", "action"),
        match=obj("Which calls the route takes.",
                  serviceName=string("Fully qualified gRPC service name."),
                  methodName=bounded_string("Method name; needs serviceName.", max_len=50),
                  metadata=array(obj("A metadata entry to match.", required=("name",),
                                     name=bounded_string("Metadata key.", max_len=50),
                                     match=value_match("How the value must look."),
                                     invert=boolean("Match when the value does not match.")),
                                 "Metadata that must all match.", min_items=1, max_items=10),
                  port=integer("Listener port the call arrived on.", minimum=0)),
        action=route_action(),
        retryPolicy=retry_policy(grpc=True),
        timeout=http_timeout("Timeouts of the route."))
    tcp_route = obj("A TCP route.", required=("action",),
                    match=obj("Which connections the route takes.",
                              port=integer("Listener port the connection arrived on.",
                                           minimum=0)),
                    action=route_action(),
                    timeout=tcp_timeout("Timeouts of the route."))
    route = obj("One route; give one of grpcRoute, httpRoute, http2Route and tcpRoute.",
                required=("name",),
                name=string("Route name, unique within the router."),
                grpcRoute=grpc_route,
                httpRoute=http_route("An HTTP/1 route."),
                http2Route=http_route("An HTTP/2 route."),
                tcpRoute=tcp_route,
                priority=integer("Order among the router's routes; lower goes first.",
                                 minimum=0, maximum=1000))
    return obj(
        "Desired state of a VirtualRouter.",
        awsName=aws_name("<name>_<namespace>"),
        listeners=array(obj("One listener.", required=("portMapping",),
                            portMapping=port_mapping(NODE_PROTOCOLS)),
                        "Ports the router accepts traffic on.", min_items=1),
        routes=array(route, "Routes of the router."),
        meshRef=mesh_ref())


def virtual_service_spec():
    return obj(
        "Desired state of a VirtualService.",
        awsName=aws_name("<name>.<namespace>"),
        provider=obj(
            "What serves the virtual service: one virtual node or one virtual router.",
            virtualNode=obj("A virtual node provider. Give exactly one of virtualNodeRef and "
                            "virtualNodeARN.",
                            virtualNodeRef=ref("VirtualNode"),
                            virtualNodeARN=string("ARN of a virtual node in the App Mesh API.")),
            virtualRouter=obj("A virtual router provider. Give exactly one of virtualRouterRef "
                              "and virtualRouterARN.",
                              virtualRouterRef=ref("VirtualRouter"),
                              virtualRouterARN=string("ARN of a virtual router in the App Mesh "
                                                      "API."))),
        meshRef=mesh_ref())


def virtual_gateway_spec():
    listener = obj(
        "One inbound listener.", required=("portMapping",),
        portMapping=port_mapping(GATEWAY_PROTOCOLS),
        healthCheck=health_check(GATEWAY_PROTOCOLS,
                                 ("intervalMillis", "protocol", "timeoutMillis",
                                  "unhealthyThreshold")),
        connectionPool=obj("Limits on connections, per protocol.",
                           http=http_pool(), http2=request_pool("HTTP/2"),
                           grpc=request_pool("gRPC")),
        tls=listener_tls(obj("Where trusted CAs for client certificates come from.",
                             acm=acm_trust(), file=file_trust(), sds=sds_trust())))
    return obj(
        "Desired state of a VirtualGateway.",
        awsName=aws_name("<name>_<namespace>"),
        namespaceSelector=label_selector(
            "Namespaces whose GatewayRoutes attach to this gateway. Empty selects every "
            "namespace."),
        podSelector=label_selector(
            "Pods in this namespace that run this gateway. Empty selects every pod; unset "
            "selects none."),
        gatewayRouteSelector=label_selector(
            "GatewayRoutes that attach to this gateway; all in the selected namespaces when "
            "unset."),
        listeners=array(listener, "Inbound listeners.", min_items=0),
        logging=logging("gateway"),
        backendDefaults=obj("Defaults for every backend.", clientPolicy=client_policy()),
        meshRef=mesh_ref())


def gateway_route_spec():
    hostname_match = obj("Matches the request's host name; give exact or suffix.",
                         exact=bounded_string("The host must equal this.", max_len=253),
                         suffix=bounded_string("The host must end with this.", max_len=253))
    hostname_rewrite = obj("Host name rewriting.",
                           defaultTargetHostname=string("ENABLED rewrites the host to the "
                                                        "target's name.",
                                                        enum=ENABLED_DISABLED))
    target = obj("Where matching requests go.", required=("virtualService",),
                 virtualService=obj("The target virtual service. Give exactly one of "
                                    "virtualServiceRef and virtualServiceARN.",
                                    virtualServiceRef=ref("VirtualService"),
                                    virtualServiceARN=string("ARN of a virtual service in the "
                                                             "App Mesh API.")),
                 port=integer("Target port, when the service has several listeners.",
                              minimum=0))

    def http_gateway_route(desc):
        return obj(
            desc, required=("match", "action"),
            match=obj("Which requests the route takes; give prefix, path or hostname.",
                      prefix=string("Path prefix."),
                      path=path_match(),
                      queryParameters=query_parameters(),
                      method=string("Request method.", enum=HTTP_METHODS),
                      hostname=hostname_match,
                      headers=array(header_match("A header to match."),
                                    "Headers that must all match.", min_items=1, max_items=10),
                      port=integer("Listener port the request arrived on.", minimum=0)),
            action=obj("What to do with a matching request.", required=("target",),
                       target=target,
                       rewrite=obj("Rewriting before forwarding.",
                                   prefix=obj("Prefix rewriting; give defaultPrefix or value.",
                                              defaultPrefix=string("ENABLED replaces the matched "
                                                                   "prefix with /.",
                                                                   enum=ENABLED_DISABLED),
                                              value=bounded_string("Replacement prefix.")),
                                   path=obj("Path rewriting.",
                                            exact=bounded_string("Replacement path.")),
                                   hostname=hostname_rewrite)))

    grpc_route = obj(
        "A gRPC gateway route.", required=("match", "action"),
        match=obj("Which calls the route takes; give serviceName, hostname or both.",
                  serviceName=string("Fully qualified gRPC service name."),
                  hostname=hostname_match,
                  metadata=array(obj("A metadata entry to match.", required=("name",),
                                     name=bounded_string("Metadata key.", max_len=50),
                                     match=value_match("How the value must look."),
                                     invert=boolean("Match when the value does not match.")),
                                 "Metadata that must all match.", min_items=1, max_items=10),
                  port=integer("Listener port the call arrived on.", minimum=0)),
        action=obj("What to do with a matching call.", required=("target",),
                   target=target,
                   rewrite=obj("Rewriting before forwarding.", hostname=hostname_rewrite)))
    return obj(
        "Desired state of a GatewayRoute; give one of grpcRoute, httpRoute and http2Route.",
        awsName=aws_name("<name>_<namespace>"),
        priority=integer("Order among the gateway's routes; lower goes first, 1000 when unset.",
                         minimum=0, maximum=1000),
        grpcRoute=grpc_route,
        httpRoute=http_gateway_route("An HTTP/1 gateway route."),
        http2Route=http_gateway_route("An HTTP/2 gateway route."),
        virtualGatewayRef=virtual_gateway_ref(),
        meshRef=mesh_ref())


def backend_group_spec():
    return obj("Desired state of a BackendGroup.",
               virtualservices=array(ref("VirtualService"), "Virtual services in the group."),
               meshRef=mesh_ref())


KINDS = [
    # kind, plural, scope, ARN status field (None: no printer columns), spec, extra status
    ("Mesh", "meshes", "Cluster", "meshARN", mesh_spec, {}),
    ("VirtualNode", "virtualnodes", "Namespaced", "virtualNodeARN", virtual_node_spec, {}),
    ("VirtualService", "virtualservices", "Namespaced", "virtualServiceARN",
     virtual_service_spec, {}),
    ("VirtualRouter", "virtualrouters", "Namespaced", "virtualRouterARN", virtual_router_spec,
     {"routeARNs": string_map("ARNs of the router's routes in the App Mesh API, by route name.")}),
    ("VirtualGateway", "virtualgateways", "Namespaced", "virtualGatewayARN",
     virtual_gateway_spec, {}),
    ("GatewayRoute", "gatewayroutes", "Namespaced", "gatewayRouteARN", gateway_route_spec, {}),
    # App Mesh has no BackendGroup resource: no ARN, no printer columns, an empty status.
    ("BackendGroup", "backendgroups", "Namespaced", None, backend_group_spec, {}),
]


def crd(kind, plural, scope, arn_field, spec, extra_status):
    root = obj(
        "%s of App Mesh (appmesh.k8s.aws), reconciled by Meshwork." % kind,
        apiVersion=string("Versioned schema of this object."),
        kind=string("Kind of this object."),
        metadata={"type": "object"},
        spec=spec(),
        status=(status(kind, arn_field, **extra_status) if arn_field
                else {"type": "object", "description": "Unused; kept for compatibility."}))
    root["x-kubernetes-preserve-unknown-fields"] = True
    names = {"kind": kind, "listKind": kind + "List", "plural": plural,
             "singular": kind.lower()}
    if scope == "Namespaced":
        names["categories"] = ["all"]
    version = {"name": VERSION, "served": True, "storage": True,
               "schema": {"openAPIV3Schema": root},
               "subresources": {"status": {}}}
    if arn_field:
        version["additionalPrinterColumns"] = [
            {"name": "ARN", "type": "string", "jsonPath": ".status." + arn_field,
             "description": "ARN of the %s in the App Mesh API" % kind},
            {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
        ]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "%s.%s" % (plural, GROUP)},
        "spec": {"group": GROUP, "names": names, "scope": scope, "versions": [version]},
    }


# ---------------------------------------------------------------------------------------------
# A small YAML writer: block style, keys sorted, strings quoted when a plain scalar would be
# read back as something else.

_PLAIN = re.compile(r"^[A-Za-z/.$<][A-Za-z0-9 _./$<>,;()'+*-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_TOP_ORDER = ["apiVersion", "kind", "metadata", "spec"]


def _scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if _PLAIN.match(s) and s.lower() not in _RESERVED and not s.endswith(" ") \
            and ": " not in s and " #" not in s:
        return s
    return json.dumps(s)


def _keys(d, top):
    if top:
        return [k for k in _TOP_ORDER if k in d] + sorted(k for k in d if k not in _TOP_ORDER)
    return sorted(d)


def _emit(node, indent, out, top=False):
    pad = "  " * indent
    if isinstance(node, dict):
        for k in _keys(node, top):
            v = node[k]
            if isinstance(v, dict) and v:
                out.append("%s%s:" % (pad, k))
                _emit(v, indent + 1, out)
            elif isinstance(v, list) and v:
                out.append("%s%s:" % (pad, k))
                _emit(v, indent, out)
            elif isinstance(v, (dict, list)):
                out.append("%s%s: %s" % (pad, k, "{}" if isinstance(v, dict) else "[]"))
            else:
                out.append("%s%s: %s" % (pad, k, _scalar(v)))
    else:
        for item in node:
            if isinstance(item, dict) and item:
                sub = []
                _emit(item, indent + 1, sub)
                first = sub[0][len(pad) + 2:]
                out.append("%s- %s" % (pad, first))
                out.extend(sub[1:])
            else:
                out.append("%s- %s" % (pad, _scalar(item)))


def to_yaml(doc):
    out = ["---"]
    _emit(doc, 0, out, top=True)
    return "\n".join(out) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(here, "bases"),
                        help="directory to write into (default: bases/ next to this script)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for kind, plural, scope, arn_field, spec, extra in KINDS:
        path = os.path.join(args.out, "%s_%s.yaml" % (GROUP, plural))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(to_yaml(crd(kind, plural, scope, arn_field, spec, extra)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
