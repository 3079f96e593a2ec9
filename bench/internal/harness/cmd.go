package harness

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

// Main is a benchmark program's main. run gets the command line's
// arguments and standard output, as the programs' smoke tests call it; an
// error is printed after the program's name, and the exit status is 1.
func Main(name string, run func(ctx context.Context, args []string, stdout io.Writer) error) {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// FunctionFlags registers on fs the binaries of the programs that start
// the functions as their platforms do: -sandbox, -rie, -bootstrap, -scf.
func FunctionFlags(fs *flag.FlagSet) (sandbox, rie, bootstrap, scf *string) {
	sandbox = fs.String("sandbox", "", "sandbox binary (go build ./sandbox/cmd/sandbox)")
	rie = fs.String("rie", "", "aws-lambda-rie binary (empty: skip Lambda)")
	bootstrap = fs.String("bootstrap", "", "Lambda bootstrap binary (-tags lambda.norpc)")
	scf = fs.String("scf", "", "SCF main binary (empty: skip SCF)")
	return sandbox, rie, bootstrap, scf
}

// BuildFunctions builds the sandbox, the emulator and both functions into
// dir and returns them as the FunctionFlags arguments that name them.
func BuildFunctions(ctx context.Context, dir string) ([]string, error) {
	bins, err := BuildAll(ctx, dir, "sandbox", "aws-lambda-rie", "bootstrap", "main")
	if err != nil {
		return nil, err
	}
	return []string{"-sandbox", bins["sandbox"], "-rie", bins["aws-lambda-rie"],
		"-bootstrap", bins["bootstrap"], "-scf", bins["main"]}, nil
}
