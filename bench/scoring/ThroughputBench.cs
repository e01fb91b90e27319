using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Bench.Scoring;

/// <summary>
/// In-process prediction throughput of a model trained on train.csv, over train.csv's 6,547 leads imported again
/// without their outcome (speed does not depend on whether the model saw a lead): one at a time, with explanations,
/// and as a parallel batch. Target: 50,000 leads/s.
/// </summary>
[MemoryDiagnoser]
public class PredictionBenchmarks
{
    private static readonly Lazy<(ConversionModel Model, LeadProfile[] Leads)> Data = new(Load);

    private ConversionModel _model = null!;
    private LeadProfile[] _leads = [];

    public const int Leads = 6_547;

    [GlobalSetup]
    public void Setup() => (_model, _leads) = Data.Value;

    [Benchmark(OperationsPerInvoke = Leads, Description = "probability, one lead at a time")]
    public double OneAtATime()
    {
        var sum = 0.0;
        foreach (var lead in _leads)
        {
            sum += _model.PredictProbability(lead);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Leads, Description = "probability + explanation, one at a time")]
    public int WithExplanations()
    {
        var factors = 0;
        foreach (var lead in _leads)
        {
            factors += _model.Predict(lead).Up.Count;
        }

        return factors;
    }

    [Benchmark(OperationsPerInvoke = Leads, Description = "probability, parallel batch")]
    public double[] Batch() => _model.PredictProbabilities(_leads);

    private static (ConversionModel, LeadProfile[]) Load()
    {
        var csv = LeadData.Read("train.csv");
        var train = LeadData.ImportAsync(csv, LeadData.OutcomeColumn).GetAwaiter().GetResult();
        var examples = train.Leads.Select(l => new ConversionExample(LeadProfile.FromImported(l), l.Outcome == ImportedOutcome.Won)).ToArray();
        var model = new ConversionModelTrainer(TimeProvider.System).Train(examples, new ConversionTrainingOptions(), CancellationToken.None).Value!;
        var blind = LeadData.ImportAsync(LeadData.WithoutColumn(csv, LeadData.OutcomeColumn), null).GetAwaiter().GetResult();
        var leads = blind.Leads.Select(LeadProfile.FromImported).ToArray();
        return leads.Length == Leads ? (model, leads) : throw new InvalidOperationException($"train.csv has {leads.Length} leads, not {Leads}.");
    }
}

internal static class ThroughputBench
{
    public static void Run()
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableLogFile)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "streamflow-bench-scoring"));
        var summary = BenchmarkRunner.Run<PredictionBenchmarks>(config);

        Console.WriteLine();
        Console.WriteLine($"Prediction throughput ({Environment.ProcessorCount} cores; target 50,000 leads/s):");
        foreach (var report in summary.Reports.Where(r => r.ResultStatistics is not null))
        {
            var nanosecondsPerLead = report.ResultStatistics!.Mean;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,-44} {1e9 / nanosecondsPerLead,12:N0} leads/s  ({nanosecondsPerLead / 1000:0.00} µs per lead)"));
        }
    }
}
