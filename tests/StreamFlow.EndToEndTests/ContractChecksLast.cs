using StreamFlow.EndToEndTests.Webhooks;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("StreamFlow.EndToEndTests.ContractChecksLast", "StreamFlow.EndToEndTests")]

// Collections one after another, so that the checks over what the whole suite did run when everything else is done.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace StreamFlow.EndToEndTests;

/// <summary>Runs the collections in their default order, except the emitted-events check, which goes last.</summary>
public sealed class ContractChecksLast : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(collection => collection.DisplayName == EmittedEventsCollection.Name);
}
