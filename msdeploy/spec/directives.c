/* SPDX-License-Identifier: MIT */
/* The systemd directives a spec may set in 'hardening.overrides': every directive of systemd.exec(5) and
 * systemd.resource-control(5) that sandboxes a service. Anything else has its own spec key, or does not
 * belong in a hardening override. */
#include "spec/directives.h"

#include <string.h>

const char *const overridable_directives[] = {
        "AmbientCapabilities", "BindPaths", "BindReadOnlyPaths", "CapabilityBoundingSet", "DevicePolicy", "DeviceAllow",
        "DynamicUser", "ExecPaths", "InaccessiblePaths", "IPAddressAllow", "IPAddressDeny", "KeyringMode", "LockPersonality",
        "MemoryDenyWriteExecute", "MountFlags", "NoExecPaths", "NoNewPrivileges", "PrivateDevices", "PrivateIPC",
        "PrivateMounts", "PrivateNetwork", "PrivateTmp", "PrivateUsers", "ProcSubset", "ProtectClock",
        "ProtectControlGroups", "ProtectHome", "ProtectHostname", "ProtectKernelLogs", "ProtectKernelModules",
        "ProtectKernelTunables", "ProtectProc", "ProtectSystem", "ReadOnlyPaths", "ReadWritePaths", "RemoveIPC",
        "RestrictAddressFamilies", "RestrictFileSystems", "RestrictNamespaces", "RestrictNetworkInterfaces",
        "RestrictRealtime", "RestrictSUIDSGID", "SecureBits", "SocketBindAllow", "SocketBindDeny",
        "SupplementaryGroups", "SystemCallArchitectures", "SystemCallErrorNumber", "SystemCallFilter", "SystemCallLog",
        "TemporaryFileSystem", "UMask", NULL,
};

bool directive_overridable(const char *key) {
        for (const char *const *d = overridable_directives; *d; d++)
                if (strcmp(*d, key) == 0)
                        return true;
        return false;
}
