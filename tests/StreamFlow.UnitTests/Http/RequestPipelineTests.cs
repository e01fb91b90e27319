using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Http;

public sealed class RequestPipelineTests
{
    private readonly RequestPipeline _pipeline = new(NullLogger<RequestPipeline>.Instance, new AccessGate([]));

    [Fact]
    public async Task Unhandled_exception_becomes_a_500_problem_with_the_trace_id_and_no_stack_trace()
    {
        var context = NewContext();

        await _pipeline.InvokeAsync(context, function: null, () => throw new InvalidOperationException("secret connection string Password=hunter2"));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", context.Response.ContentType);
        var body = ReadBody(context);
        Assert.Equal(context.TraceIdentifier, body.GetProperty("traceId").GetString());
        Assert.DoesNotContain("hunter2", body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body.GetRawText(), StringComparison.Ordinal);
    }

    public static TheoryData<string> Outages => ["too many connections", "pool wait timed out", "server shutting down", "storage refused", "storage retries exhausted"];

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task A_database_or_storage_outage_becomes_503_with_retry_after(string outage)
    {
        var context = NewContext();

        await _pipeline.InvokeAsync(context, function: null, () => throw OutageException(outage));

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(context.TraceIdentifier, ReadBody(context).GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task A_constraint_violation_is_not_mistaken_for_an_outage()
    {
        var context = NewContext();

        await _pipeline.InvokeAsync(context, function: null, () => throw new Npgsql.PostgresException("duplicate key", "ERROR", "ERROR", "23505"));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
    }

    private static Exception OutageException(string outage) => outage switch
    {
        "too many connections" => new Npgsql.PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300"),
        "pool wait timed out" => new Npgsql.NpgsqlException("The connection pool has been exhausted", new TimeoutException()),
        "server shutting down" => new InvalidOperationException("wrapped", new Npgsql.PostgresException("terminating connection", "FATAL", "FATAL", "57P01")),
        "storage refused" => new Azure.RequestFailedException(0, "Connection refused"),
        "storage retries exhausted" => new AggregateException(new Azure.RequestFailedException(503, "Server busy")),
        _ => throw new ArgumentOutOfRangeException(nameof(outage)),
    };

    [Fact]
    public async Task A_valid_correlation_id_is_kept()
    {
        var context = NewContext();
        context.Request.Headers[RequestPipeline.CorrelationHeader] = "abc-123";

        await _pipeline.InvokeAsync(context, function: null, () => Task.CompletedTask);

        Assert.Equal("abc-123", context.TraceIdentifier);
    }

    [Fact]
    public async Task An_unsafe_correlation_id_is_replaced()
    {
        var context = NewContext();
        context.Request.Headers[RequestPipeline.CorrelationHeader] = "bad id\r\ninjected: yes";

        await _pipeline.InvokeAsync(context, function: null, () => Task.CompletedTask);

        Assert.Matches("^[0-9a-f]{32}$", context.TraceIdentifier);
    }

    [Fact]
    public async Task A_refused_caller_gets_the_authenticators_problem_and_the_function_does_not_run()
    {
        var context = NewContext();
        var ran = false;

        await PipelineWithApiKeys().InvokeAsync(context, Function(nameof(KeyedFunction)), () => Task.FromResult(ran = true));

        Assert.False(ran);
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", context.Response.ContentType);
    }

    [Fact]
    public async Task An_admitted_caller_is_handed_to_the_function()
    {
        var context = NewContext();
        context.Request.Headers["X-Api-Key"] = "good";
        object? caller = null;

        await PipelineWithApiKeys().InvokeAsync(context, Function(nameof(KeyedFunction)), () =>
        {
            caller = context.Features.Get<AuthenticatedCaller>()?.Principal;
            return Task.CompletedTask;
        });

        Assert.Equal("key:good", caller);
    }

    [Fact]
    public async Task Anonymous_access_asks_no_authenticator()
    {
        var context = NewContext();
        var ran = false;

        await PipelineWithApiKeys().InvokeAsync(context, Function(nameof(OpenFunction)), () => Task.FromResult(ran = true));

        Assert.True(ran);
    }

    [ApiKeyAccess]
    private static void KeyedFunction()
    {
    }

    [AnonymousAccess("A test of the anonymous path.")]
    private static void OpenFunction()
    {
    }

    private static System.Reflection.MethodInfo Function(string name) =>
        typeof(RequestPipelineTests).GetMethod(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static RequestPipeline PipelineWithApiKeys() =>
        new(NullLogger<RequestPipeline>.Instance, new AccessGate([new ApiKeyAuthenticator()]));

    /// <summary>A kind of caller the pipeline has never heard of: only an attribute and an authenticator.</summary>
    private sealed class ApiKeyAccessAttribute : AccessAttribute
    {
        public override string SecurityScheme => "apiKey";
    }

    private sealed class ApiKeyAuthenticator : ICallerAuthenticator
    {
        public Type Access => typeof(ApiKeyAccessAttribute);

        public Task<Result<object>> AdmitAsync(HttpRequest request, AccessAttribute access, CancellationToken cancellationToken) =>
            Task.FromResult(request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key
                ? Result<object>.Success($"key:{key}")
                : Result<object>.Failure(Problem.Unauthorized("Send an API key.")));
    }

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/api/anything";
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonElement ReadBody(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonDocument.Parse(context.Response.Body).RootElement;
    }
}
