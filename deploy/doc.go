// Package deploy holds the checks on the deployment files at the
// repository root: template.yaml (AWS SAM), serverless.yml (Tencent
// Serverless Cloud Framework), the Makefile's package and SAM build targets,
// and the zips `make package` builds. It has only tests; the zip writer the
// Makefile uses is deploy/cmd/zipdet.
package deploy
