//go:build tools

package main
import (
 _ "github.com/kelseyhightower/envconfig"
 _ "github.com/aws/aws-lambda-go/lambda"
 _ "github.com/aws/aws-lambda-go/events"
 _ "github.com/tencentyun/scf-go-lib/cloudfunction"
 _ "github.com/tencentyun/scf-go-lib/events"
 _ "github.com/aws/aws-sdk-go-v2/service/s3"
 _ "github.com/aws/aws-sdk-go-v2/config"
 _ "github.com/tencentyun/cos-go-sdk-v5"
 _ "github.com/johannesboyne/gofakes3"
 _ "go.uber.org/goleak"
 _ "golang.org/x/image/bmp"
 _ "github.com/awslabs/goformation/v7"
 _ "github.com/aws/aws-sdk-go-v2/aws"
)
func main(){}
