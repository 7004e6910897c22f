package io.authservice;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.config.AdminConfig;
import io.authservice.config.ApiKeyConfig;
import io.authservice.audit.alert.AlertConfig;
import io.authservice.config.AuditConfig;
import io.authservice.config.ClientAddressConfig;
import io.authservice.config.DirectoryConfig;
import io.authservice.config.JwtConfig;
import io.authservice.config.ThrottleConfig;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The service's configuration; see config.yml at the top of the repository for every setting. */
public class AuthServiceConfiguration extends Configuration {
    @Valid
    @NotNull
    @JsonProperty
    private DataSourceFactory database = new DataSourceFactory();

    /** Apply pending Liquibase migrations when the service or a command starts. */
    @JsonProperty
    private boolean migrateOnStart = true;

    /** Names this instance in audit events; empty or absent means host name and process id. */
    @JsonProperty
    private String instanceId;

    @Valid
    @NotNull
    @JsonProperty
    private ApiKeyConfig apiKeys = new ApiKeyConfig();

    @Valid
    @NotNull
    @JsonProperty
    private DirectoryConfig directory = new DirectoryConfig();

    @Valid
    @NotNull
    @JsonProperty
    private ThrottleConfig throttle = new ThrottleConfig();

    @Valid
    @NotNull
    @JsonProperty
    private ClientAddressConfig clientAddress = new ClientAddressConfig();

    @Valid
    @NotNull
    @JsonProperty
    private JwtConfig jwt = new JwtConfig();

    /** Named so as not to clash with Dropwizard's own {@code admin} section. */
    @Valid
    @NotNull
    @JsonProperty("adminAccess")
    private AdminConfig adminAccess = new AdminConfig();

    @Valid
    @NotNull
    @JsonProperty
    private AuditConfig audit = new AuditConfig();

    /** Alert rules on the stored audit events and where alerts are delivered (README, "Alerts"). */
    @Valid
    @NotNull
    @JsonProperty
    private AlertConfig alerts = new AlertConfig();

    public DataSourceFactory getDatabase() {
        return database;
    }

    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    public String getInstanceId() {
        return instanceId;
    }

    public ApiKeyConfig getApiKeys() {
        return apiKeys;
    }

    public DirectoryConfig getDirectory() {
        return directory;
    }

    public ThrottleConfig getThrottle() {
        return throttle;
    }

    public ClientAddressConfig getClientAddress() {
        return clientAddress;
    }

    public JwtConfig getJwt() {
        return jwt;
    }

    public AdminConfig getAdminAccess() {
        return adminAccess;
    }

    public AlertConfig getAlerts() {
        return alerts;
    }

    public void setAlerts(AlertConfig alerts) {
        this.alerts = alerts;
    }

    public AuditConfig getAudit() {
        return audit;
    }
}
