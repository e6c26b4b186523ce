// Package parquetfile reads samples to judge from a local Parquet file, one
// [datasets.FileSample] per row. It lives apart from package datasets so that only the
// programs that read Parquet sample files compile parquet-go.
package parquetfile
