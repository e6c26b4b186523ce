package heval

import "runtime/debug"

// version is set at build time with -ldflags "-X github.com/heval-dev/heval.version=v1.2.3";
// otherwise it is read from the build information.
var version = ""

// Version is heval's version: the one set at build time, else the version of the module
// github.com/heval-dev/heval in the running program's build information (whether heval is
// the main module or a dependency), else "devel".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	const path = "github.com/heval-dev/heval"
	v := ""
	if bi.Main.Path == path {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			v = d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
