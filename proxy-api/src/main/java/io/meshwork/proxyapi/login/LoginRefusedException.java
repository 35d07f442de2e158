package io.meshwork.proxyapi.login;

import java.io.IOException;

/** The control API answered a login with an error (403 for an unmapped role, 503 when STS is down, ...). */
public final class LoginRefusedException extends IOException {
    private final int status;

    public LoginRefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
