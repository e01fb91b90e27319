using System.Globalization;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tasks;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.Tasks;

/// <summary>Reads the task lists' query: filters, paging, and the caller as a task actor.</summary>
internal static class TaskQuery
{
    public static TaskActor Actor(HttpRequest request)
    {
        var caller = request.Client();
        return new TaskActor(caller.TenantId, caller.Actor);
    }

    public static TaskFilter Filter(HttpRequest request, out ValidationErrors errors)
    {
        errors = new ValidationErrors();
        TaskState? status = QueryParameters.Text(request, "status") switch
        {
            null => null,
            "open" => TaskState.Open,
            "done" => TaskState.Done,
            _ => Invalid<TaskState>(errors, "status", "must be open or done."),
        };
        var assignee = QueryParameters.Text(request, "assignee") == "me" ? request.Client().UserId : QueryParameters.Id(request, "assignee", errors);
        return new TaskFilter(status, assignee, QueryParameters.Id(request, "leadId", errors), QueryParameters.Id(request, "jobId", errors),
            Instant(request, "dueFrom", errors), Instant(request, "dueTo", errors));
    }

    public static async Task<IResult> PageAsync(
        HttpRequest request, TaskFilter filter, ValidationErrors errors, Func<TaskFilter, PageRequest, Task<Result<TaskPage>>> list)
    {
        var page = Paging.Read(request);
        if (!page.Succeeded || errors.ToProblem() is not null)
        {
            return ApiResults.Problem(page.Problem ?? errors.ToProblem()!, request.HttpContext);
        }

        return ApiResults.From(await list(filter, page.Value), result => ApiResults.Json(result), request);
    }

    private static DateTimeOffset? Instant(HttpRequest request, string name, ValidationErrors errors)
    {
        if (QueryParameters.Text(request, name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && SupportedDates.Contains(instant))
        {
            return instant;
        }

        errors.Add(name, "must be an ISO-8601 timestamp such as 2027-03-10T15:00:00Z.");
        return null;
    }

    private static T? Invalid<T>(ValidationErrors errors, string name, string message)
        where T : struct
    {
        errors.Add(name, message);
        return null;
    }
}
