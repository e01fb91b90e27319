using StreamFlow.Bench.Scoring;

switch (args.FirstOrDefault() ?? "quality")
{
    case "quality":
        await QualityBench.RunAsync();
        break;
    case "throughput":
        ThroughputBench.Run();
        break;
    case "import":
        await ImportBench.RunAsync();
        break;
    case "cv":
        await CrossValidationBench.RunAsync();
        break;
    case "coldstart":
        await ColdStartBench.RunAsync();
        break;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project bench/scoring -- [quality|throughput|import|cv|coldstart]");
        return 2;
}

return 0;
