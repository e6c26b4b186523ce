package heliconetest

import (
	"fmt"
	"strings"
)

// Profile names which Helicone server the emulator plays. Everything the two servers share
// (score writes, request queries, auth, rate limits) behaves the same in both.
type Profile string

// The server profiles.
const (
	// Current is hosted Helicone today (and any deployment of the newest code): the
	// experiment query validates its body and then answers 500 {"data":null,"error":"Not
	// implemented"}, the v2 score route always answers {"data":null,"error":null}, dataset
	// rows come from Helicone Datasets (/v1/helicone-dataset/...), hypothesis runs are
	// logged requests tagged with custom properties, and scores are read back through
	// POST /v1/request/query-clickhouse only. It is the default.
	Current Profile = "current"
	// Legacy is a self-hosted server from before the 2025-10 migration: the experiment
	// query answers with experiments, dataset rows and hypothesis runs, a score write also
	// goes synchronously to Postgres score_value (first value per key wins), and both
	// experiment routes read scores from there. The Helicone Datasets routes do not exist.
	Legacy Profile = "legacy"
)

// DefaultProfile is the profile of an emulator built without [WithProfile].
const DefaultProfile = Current

// ProfileHeader is the response header naming the emulator's profile on every answer
// ("current" or "legacy"). No real Helicone server sends it.
const ProfileHeader = "Heval-Emulator-Profile"

// Profiles lists the profiles.
var Profiles = []Profile{Current, Legacy}

// ParseProfile reads a profile name ("current" or "legacy", any case).
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(strings.ToLower(strings.TrimSpace(s))); p {
	case Current, Legacy:
		return p, nil
	}
	return "", fmt.Errorf("heliconetest: unknown profile %q: choose %q (hosted Helicone today) or %q (self-hosted, before the 2025-10 migration)", s, Current, Legacy)
}

// String returns the profile's name.
func (p Profile) String() string { return string(p) }
