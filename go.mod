module github.com/asyncio-go/asyncio

go 1.26
