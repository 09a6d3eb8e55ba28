# SPDX-License-Identifier: MIT
# Shell helpers shared by the test runners that read generated units (sourced, not run).

# The unit to check for a unit file: a template is checked through one instance (its DefaultInstance= or "1").
unit_instance() {
        local file=$1 name
        name=$(basename "$file")
        if [[ $name != *@.* ]]; then
                printf '%s\n' "$name"
                return
        fi
        local inst
        inst=$(sed -n 's/^DefaultInstance=//p' "$file" | tail -n 1)
        printf '%s\n' "${name/@./@${inst:-1}.}"
}
