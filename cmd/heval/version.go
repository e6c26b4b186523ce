package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise it is read
// from the module's build information.
var version = ""

func heVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

type versionCmd struct{ stdio }

func (c *versionCmd) Run(_ context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "version")
	if err := fs.parse(args); err != nil {
		return err
	}
	_, err := fmt.Fprintf(c.out, "heval %s\n", heVersion())
	return err
}
