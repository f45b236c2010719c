using BenchmarkDotNet.Running;

// Run all or some benchmarks: dotnet run -c Release --project bench/Alliance.Analytics.Bench -- --filter '*Loading*'
// Each domain has its own file of benchmark classes; results and the R side-by-side figures are in bench/results/.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
