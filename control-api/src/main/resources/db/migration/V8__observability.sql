-- The last two traffic reports of each connected proxy (ProxyReport.traffic, cumulative counters),
-- kept in the store so every replica computes the same live rates whichever replica a proxy's
-- heartbeats land on: rates are the difference of the two. Apart from the proxy table so the
-- endpoint and listing reads stay narrow; goes with its proxy.
CREATE TABLE proxy_traffic (
    proxy_id    VARCHAR(128) PRIMARY KEY REFERENCES proxy (proxy_id) ON DELETE CASCADE,
    latest      VARCHAR      NOT NULL,
    latest_at   BIGINT       NOT NULL,
    previous    VARCHAR,
    previous_at BIGINT
);

-- Dashboard sign-in: one-time sign-in tokens (kind 'sign-in', about a minute) and the sessions
-- they become (kind 'session'). Only a SHA-256 of each token is stored. A session acts as the
-- key that asked for it, re-checked at every call (a revoked key or an ended AWS session ends it):
-- access_key_id, and for an AWS login's session credentials its sealed session token.
CREATE TABLE dashboard_session (
    token_hash    VARCHAR(64)   PRIMARY KEY,
    kind          VARCHAR(16)   NOT NULL,
    access_key_id VARCHAR(128)  NOT NULL,
    session_token VARCHAR(8192),
    created_at    BIGINT        NOT NULL,
    expires_at    BIGINT        NOT NULL
);
CREATE INDEX dashboard_session_expiry ON dashboard_session (expires_at);
