//go:build !unix

package proctest

import "os/exec"

// Without Setpgid (e.g. Windows) only cmd itself is started and killed, so
// that packages using proctest still build and vet there.
func newGroup(cmd *exec.Cmd) {}

func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
