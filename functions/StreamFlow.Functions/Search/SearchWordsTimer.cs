using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Search;

namespace StreamFlow.Functions.Search;

/// <summary>
/// Takes the words of records written since the last run into each business's search dictionary (docs/search.md);
/// until then a search checks those records directly, so a run late or twice changes no answer, only its speed.
/// </summary>
public sealed class SearchWordsTimer(SearchService search, ILogger<SearchWordsTimer> logger)
{
    [Function("RefreshSearchWords")]
    public async Task Run([TimerTrigger("%Search:WordsSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var documents = await search.RefreshWordsAsync(cancellationToken);
        logger.LogInformation("Search dictionary: words of {Documents} changed records taken", documents);
    }
}
