package io.authservice;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Names a service instance in audit events. */
public final class InstanceIds {
    private InstanceIds() {
    }

    /** The configured instance id, or host name and process id. */
    public static String of(AuthServiceConfiguration config) {
        if (config.getInstanceId() != null && !config.getInstanceId().isBlank()) {
            return config.getInstanceId().trim();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
