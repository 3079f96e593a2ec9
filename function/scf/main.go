// Command main is the verification function for Tencent SCF (event
// function, runtime Go1, handler "main"). One binary serves Function URL
// and API Gateway requests and COS upload events.
//
// Nothing is configured here: SCF sets the environment on every
// invocation (net/rpc InvokeRequest.Environment), so the configuration is
// read on the first invocation and the result kept for warm ones.
package main

import (
	"log/slog"
	"os"

	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/tencentyun/scf-go-lib/cloudfunction"
)

func main() {
	// Records logged with a request's context name the event kind it came
	// in (function_url, apigw).
	log := slog.New(httpevent.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	cloudfunction.StartHandler(newApp(log, fromEnv(log)))
}
