using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Search;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Search;

public sealed class SearchFunctions(SearchService search)
{
    private const int MaxLimit = 50;

    [Function("Search")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Universal search (the command palette): leads, tasks, quotes, jobs, invoices, RFPs and users the caller may read, "
        + "typo-tolerant and prefix-aware, ranked exact > prefix > contains > fuzzy, open and recent first. "
        + "q: 2–100 characters; types: comma-separated kinds; limit 1–50 (default 20).",
        Tag = "Search", Response = typeof(SearchResults), Query = ["q", "types", "limit"], Problems = [400, 503])]
    public async Task<IResult> Search(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/search")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var limitText = request.Query["limit"].ToString();
        var limit = 20;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return ApiResults.Problem(Problem.Validation("limit", $"must be a whole number from 1 to {MaxLimit}."), request.HttpContext);
        }

        var types = request.Query["types"].ToString() is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        var results = await search.SearchAsync(request.Client(), request.Query["q"].ToString(), types, limit, cancellationToken);
        return ApiResults.From(results, found => ApiResults.Json(found), request);
    }
}
