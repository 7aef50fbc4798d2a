# bash completion for acrawl(1); needs bash-completion (it loads this file as "acrawl").
# tests/install/check_options.py checks that every option of `acrawl --help` is listed here.

_acrawl() {
    local cur prev words cword split
    _init_completion -s || return

    # Options whose value is the next word.
    local takes_value=' -c --concurrency --mode --parsers --format -o --output
        --connect-timeout --timeout --retries --retry-delay --min-speed --min-speed-time
        --max-bytes --user-agent --stats-json --state --crawl-id --lease --metrics --cacert
        --capath -H --header -b --cookie --cookie-jar -u --user -x --proxy --noproxy --depth
        --max-pages --scope --include --exclude --per-host --delay --links-file '
    takes_value=${takes_value//$'\n'/ }
    # The subcommand before the word being completed, and whether an input precedes it.
    local i w sub= inputs=0
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ $w == -?* ]]; then  # "-" alone is an input (stdin)
            [[ $w != *=* && $takes_value == *" $w "* ]] && ((i++))
        elif [[ $w == export || $w == bench ]] && ((inputs == 0)); then
            sub=$w
            break
        else
            inputs=1
        fi
    done

    case $sub in
        export)
            case $prev in
                --format)
                    COMPREPLY=($(compgen -W 'tsv jsonl csv' -- "$cur"))
                    return
                    ;;
                -o | --output)
                    _filedir
                    return
                    ;;
                --crawl-id) return ;;
            esac
            $split && return
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '-h --help --format -o --output --crawl-id' -- "$cur"))
            else
                _filedir # the state file (or a redis:// URL, typed in full)
            fi
            return
            ;;
        bench)
            case $prev in
                --modes)
                    # A comma-separated list: complete its last item.
                    local done=
                    [[ $cur == *,* ]] && done=${cur%,*},
                    COMPREPLY=($(compgen -P "$done" -W 'async threads sync' -- "${cur##*,}"))
                    compopt -o nospace 2>/dev/null
                    return
                    ;;
                --pages | --latency-ms | --concurrency) return ;;
            esac
            $split && return
            COMPREPLY=($(compgen -W '-h --help --modes --pages --latency-ms --concurrency' \
                -- "$cur"))
            return
            ;;
    esac

    case $prev in
        --mode)
            COMPREPLY=($(compgen -W 'async threads sync' -- "$cur"))
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W 'tsv jsonl csv' -- "$cur"))
            return
            ;;
        --scope)
            COMPREPLY=($(compgen -W 'host domain prefix any' -- "$cur"))
            return
            ;;
        -o | --output | --stats-json | --cookie-jar | --links-file | --state | -b | --cookie)
            _filedir
            return
            ;;
        --cacert)
            _filedir '@(pem|crt|cer)'
            return
            ;;
        --capath)
            _filedir -d
            return
            ;;
        -c | --concurrency | --parsers | --connect-timeout | --timeout | --retries | \
            --retry-delay | --min-speed | --min-speed-time | --max-bytes | --user-agent | \
            -H | --header | -u | --user | -x | --proxy | --noproxy | --crawl-id | --lease | \
            --metrics | --depth | --max-pages | --include | --exclude | --per-host | --delay)
            return # a value of the user's own
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-h --help --version -c --concurrency --mode --parsers
            --format -o --output --connect-timeout --timeout --retries --retry-delay
            --min-speed --min-speed-time --max-bytes --user-agent --stats-json --state
            --crawl-id --lease --metrics --no-progress -v --verbose -q --quiet
            --cacert --capath -k --insecure --http1.1 --http2
            -H --header -b --cookie --cookie-jar -u --user -x --proxy --noproxy
            --depth --max-pages --scope --include --exclude --ignore-robots --sitemaps
            --respect-nofollow --per-host --delay --links --links-file' -- "$cur"))
        return
    fi
    # Inputs are files of URLs (or URLs, or -); a subcommand comes before any input.
    _filedir
    ((inputs == 0)) && COMPREPLY+=($(compgen -W 'export bench' -- "$cur"))
} &&
    complete -F _acrawl acrawl
