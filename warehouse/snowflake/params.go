package snowflake

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// driverParams are the DSN parameters gosnowflake v1.19 reads itself (its
// dsn.go). Any other key the driver passes to Snowflake as a session
// parameter, so a typo would only surface at login, or never: we accept the
// session parameters below and refuse the rest, naming what is known.
var driverParams = []string{"account", "warehouse", "database", "schema", "role", "region", "protocol",
	"host", "port", "passcode", "passcodeInPassword", "authenticator", "application",
	"clientTimeout", "jwtClientTimeout", "loginTimeout", "requestTimeout", "jwtTimeout", "externalBrowserTimeout",
	"cloudStorageTimeout", "maxRetryCount", "insecureMode", "disableOCSPChecks", "disableTelemetry", "ocspFailOpen",
	"tokenFilePath", "tlsConfigName", "validateDefaultParameters", "clientRequestMfaToken",
	"clientStoreTemporaryCredential", "tracing", "logQueryText", "logQueryParameters", "tmpDirPath",
	"disableQueryContextCache", "includeRetryReason", "clientConfigFile", "certRevocationCheckMode",
	"workloadIdentityProvider", "workloadIdentityEntraResource", "workloadIdentityImpersonationPath",
	"oauthClientId", "oauthAuthorizationUrl", "oauthTokenRequestUrl", "oauthRedirectUri", "oauthScope",
	"proxyHost", "proxyPort", "proxyUser", "proxyProtocol", "noProxy"}

// sessionParams are Snowflake session parameters a loader may want to set
// (docs.snowflake.com, "Parameters"), compared case-insensitively.
var sessionParams = []string{"TIMEZONE", "QUERY_TAG", "STATEMENT_TIMEOUT_IN_SECONDS",
	"STATEMENT_QUEUED_TIMEOUT_IN_SECONDS", "LOCK_TIMEOUT", "TIMESTAMP_TYPE_MAPPING", "ABORT_DETACHED_QUERY",
	"CLIENT_SESSION_KEEP_ALIVE", "TRANSACTION_DEFAULT_ISOLATION_LEVEL", "USE_CACHED_RESULT"}

// secretParams are driver parameters that would put a secret in the URL.
var secretParams = []string{"password", "token", "privateKey", "oauthClientSecret", "proxyPassword"}

// checkParams refuses a parameter that neither synctrack, the driver nor
// Snowflake's session knows, and secrets in the URL.
func checkParams(q url.Values) error {
	for k := range q {
		switch {
		case k == paramStage || k == paramIntegration || k == paramAutoRefresh:
		case slices.Contains(secretParams, k):
			return fmt.Errorf("warehouse URL: %s= would put a secret in the URL, where logs and process lists show it; "+
				"use %s, %s or %s instead", k, EnvPassword, EnvPrivateKey, EnvToken)
		case slices.Contains(driverParams, k), slices.Contains(sessionParams, strings.ToUpper(k)):
		default:
			return fmt.Errorf("warehouse URL: unknown parameter %q (synctrack's: %s, %s, %s; the driver's: %s; "+
				"session parameters: %s)", k, paramStage, paramIntegration, paramAutoRefresh,
				strings.Join(driverParams, ", "), strings.Join(sessionParams, ", "))
		}
	}
	return nil
}
