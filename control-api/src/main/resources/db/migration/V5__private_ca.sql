-- Meshes whose workload certificates AWS Private CA issues instead of Meshwork's own CA.
CREATE TABLE private_ca (
    mesh_name VARCHAR(255)  PRIMARY KEY,
    ca_arn    VARCHAR(2048) NOT NULL
);
