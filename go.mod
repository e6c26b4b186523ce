module github.com/heval-dev/heval

go 1.26
