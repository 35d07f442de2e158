-- Instances found in AWS Cloud Map for virtual nodes with awsCloudMap service discovery,
-- written by whichever replica holds the 'cloudmap-sync' lease and read by every replica when
-- it compiles a mesh. Kept as last written: an outage of Cloud Map leaves them in place.
CREATE TABLE cloudmap_endpoint (
    mesh_name   VARCHAR(255) NOT NULL,
    node_name   VARCHAR(255) NOT NULL,
    instance_id VARCHAR(255) NOT NULL,
    address     VARCHAR(255) NOT NULL,
    port        INTEGER,
    PRIMARY KEY (mesh_name, node_name, instance_id)
);

-- Proxies that asked to be registered in Cloud Map (PROXY_CLOUDMAP_REGISTER), what they asked
-- for, and what the lease holder last registered for them there, so a new lease holder knows
-- what to deregister when a proxy goes away.
CREATE TABLE cloudmap_registration (
    proxy_id           VARCHAR(128) PRIMARY KEY,
    attributes         VARCHAR(4096) NOT NULL,
    healthy            BOOLEAN NOT NULL,
    registered_service VARCHAR(1024),
    registered_key     VARCHAR(4096),
    reported_healthy   BOOLEAN
);

-- Work that exactly one replica should do at a time (polling Cloud Map): held by one replica
-- until it stops renewing it.
CREATE TABLE lease (
    name       VARCHAR(64)  PRIMARY KEY,
    holder     VARCHAR(128) NOT NULL,
    expires_at BIGINT       NOT NULL
);
