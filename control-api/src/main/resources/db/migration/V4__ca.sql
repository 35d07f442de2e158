-- Certificate authorities: the trust domain's root (mesh_name '*') and one subordinate CA per mesh.
-- A rotation adds a generation; the previous one stays trusted (RETIRING) until it is retired.
-- Private keys are stored encrypted with the control API's encryption key and never leave it.
CREATE TABLE certificate_authority (
    mesh_name     VARCHAR(255)  NOT NULL,
    generation    INTEGER       NOT NULL,
    state         VARCHAR(16)   NOT NULL,
    certificate   VARCHAR(8192) NOT NULL,
    private_key   VARCHAR(8192) NOT NULL,
    key_algorithm VARCHAR(16)   NOT NULL,
    created_at    BIGINT        NOT NULL,
    not_after     BIGINT        NOT NULL,
    PRIMARY KEY (mesh_name, generation)
);

-- Every certificate the CA signed: serial numbers never repeat (the primary key says so), and
-- operators can see which proxy holds which certificate until when.
CREATE TABLE issued_certificate (
    serial        VARCHAR(64)  PRIMARY KEY,
    mesh_name     VARCHAR(255) NOT NULL,
    resource_kind VARCHAR(32)  NOT NULL,
    resource_name VARCHAR(255) NOT NULL,
    proxy_id      VARCHAR(128),
    issued_at     BIGINT       NOT NULL,
    not_after     BIGINT       NOT NULL
);

CREATE INDEX issued_certificate_proxy ON issued_certificate (proxy_id, issued_at);
